/**
 * Selection actions: the commands and the API. Each command resolves what it acts on and sends the result to
 * its output (`run.ts`, `outputs.ts`); the work itself (prompts, splitting, cleaning) lives in the vscode-free
 * modules beside them, and proposals in the shared editing service.
 */
import * as vscode from 'vscode';
import type { Notify, ProposalInfo } from '../common/editing';
import type { HearthServices } from '../common/services';
import { readCustomActions, runCustomAction } from './customCommand';
import type { CustomAction } from './customActions';
import { pickInstruction } from './instructionPicker';
import type { Outputs } from './outputs';
import { modelProgress } from './progress';
import type { ActionSpec } from './prompts';
import { RecentInstructions } from './recent';
import { ResultViews, type ResultInfo } from './resultView';
import { failureOutcome, runSelectionAction } from './run';
import { RunningActions } from './running';
import { resolveTarget } from './target';

export type { ActionOutcome } from './outputs';

export interface ActionsApi {
  /** Every user-facing message goes through here (proposals' too); tests replace its methods to capture them. */
  notify: Notify;
  recentInstructions(): string[];
  pendingProposals(): ProposalInfo[];
  onDidChangeProposals(listener: () => void): vscode.Disposable;
  results(): ResultInfo[];
  /** Actions generating right now. */
  running(): number;
  /** Cancels every running action, exactly as the progress notification's Cancel button does. */
  cancelRunning(): number;
  customActions(): CustomAction[];
}

export function registerActions(services: HearthServices): { disposables: vscode.Disposable[]; api: ActionsApi } {
  const { engine, context, log, editing } = services;
  const { notify } = editing;
  const results = new ResultViews();
  const running = new RunningActions();
  const recent = new RecentInstructions(context.globalState);
  const outputs: Outputs = { engine, notify, editing, results, progress: modelProgress(running), failed: failureOutcome(log, notify) };
  const run = (spec: ActionSpec, verb: string) => runSelectionAction(outputs, spec, verb);

  const commands = [
    vscode.commands.registerCommand('hearth.summarizeSelection', () => run({ type: 'summarize' }, 'summarize')),
    vscode.commands.registerCommand('hearth.explainSelection', () => run({ type: 'explain' }, 'explain')),
    vscode.commands.registerCommand('hearth.rewriteSelection', () => run({ type: 'rewrite' }, 'rewrite')),
    vscode.commands.registerCommand('hearth.transformSelection', async (args?: { instruction?: string }) => {
      // Check the selection before asking for an instruction that could not be used.
      if (!resolveTarget(notify, { type: 'rewrite' }, 'transform')) return 'refused';
      const instruction = typeof args?.instruction === 'string' && args.instruction.trim() ? args.instruction : await pickInstruction(recent.list());
      if (!instruction) return 'cancelled';
      await recent.remember(instruction);
      return run({ type: 'transform', instruction }, 'transform');
    }),
    vscode.commands.registerCommand('hearth.runCustomAction', (name?: unknown) => runCustomAction(name, readCustomActions(log), notify, run)),
  ];

  const api: ActionsApi = {
    notify,
    recentInstructions: () => recent.list(),
    pendingProposals: () => editing.pending(),
    onDidChangeProposals: (listener) => editing.onDidChange(listener),
    results: () => results.list(),
    running: () => running.size,
    cancelRunning: () => running.cancelAll(),
    customActions: () => readCustomActions(log),
  };
  return { disposables: [results, ...commands], api };
}
