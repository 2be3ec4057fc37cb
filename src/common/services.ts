/**
 * What `activate()` hands each capability's `register…()` function. Capabilities talk to the model only through
 * `engine`, report failures through `reportError` (one actionable notification per distinct problem, never one
 * per keystroke), and log to the shared "Hearth" output channel.
 */
import type * as vscode from 'vscode';
import type { Editing } from './editing';
import type { InferenceEngine } from './engine';

export interface HearthServices {
  context: vscode.ExtensionContext;
  engine: InferenceEngine;
  log: vscode.LogOutputChannel;
  /** Proposals shown as a diff to accept or reject, and the notifier of every editing flow (actions, chat's apply). */
  editing: Editing;
  /**
   * Show an engine failure to the user with the fix as a button (select a model, show the log, …).
   * Cancellations are ignored. `quiet: true` only logs and updates the status bar (for typing-time callers):
   * the same problem is still shown once, never repeatedly.
   */
  reportError(error: unknown, options?: { quiet?: boolean }): void;
}
