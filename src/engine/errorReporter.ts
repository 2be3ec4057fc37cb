/**
 * Turns engine failures into one notification with the fix as a button. Typing-time callers pass `quiet`, and
 * then the same problem is shown once per ten minutes at most instead of once per keystroke.
 */
import * as vscode from 'vscode';
import { EngineError, isCancelled, isModelFileError } from '../common/errors';

const QUIET_REPEAT_MS = 10 * 60_000;

export interface ShownMessage {
  message: string;
  actions: string[];
}

export class ErrorReporter {
  private readonly lastShown = new Map<string, number>();
  /** The last 50 messages shown, newest last: tests assert on it since notifications are hard to read from a test. */
  readonly shown: ShownMessage[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  report(error: unknown, options: { quiet?: boolean } = {}): void {
    if (isCancelled(error)) return;
    const code = error instanceof EngineError ? error.code : 'INTERNAL';
    const detail = error instanceof Error ? error.message : String(error);
    this.log.error(detail);
    const key = `${code}:${detail}`;
    const now = Date.now();
    if (options.quiet && now - (this.lastShown.get(key) ?? -Infinity) < QUIET_REPEAT_MS) return;
    this.lastShown.set(key, now);

    const actions: string[] = [];
    if (isModelFileError(code)) actions.push('Select Model File…');
    if (code === 'WORKER_CRASHED') actions.push('Restart Engine');
    actions.push('Show Log');
    const message = `Hearth: ${detail}`;
    this.shown.push({ message, actions });
    if (this.shown.length > 50) this.shown.shift();
    void vscode.window.showErrorMessage(message, ...actions).then((choice) => {
      if (choice === 'Select Model File…') void vscode.commands.executeCommand('hearth.selectModel');
      else if (choice === 'Restart Engine') void vscode.commands.executeCommand('hearth.restartEngine');
      else if (choice === 'Show Log') void vscode.commands.executeCommand('hearth.showLog');
    });
  }
}
