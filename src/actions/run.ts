/** One selection action from command to outcome: what it acts on, whether that may be edited, and where the result goes. */
import type * as vscode from 'vscode';
import type { Notify } from '../common/editing';
import { isCancelled } from '../common/errors';
import { insertBelow, proposeReplacement, showResult, type ActionInput, type ActionOutcome, type Outputs } from './outputs';
import { actionTitle, outputMode, type ActionSpec } from './prompts';
import { eolOfDocument, fileNameOf, isReadOnly, resolveTarget, tabSizeOf } from './target';

/** `verb` completes the messages that say why nothing happened ("Select the text to rewrite first."). */
export async function runSelectionAction(out: Outputs, spec: ActionSpec, verb: string): Promise<ActionOutcome> {
  const target = resolveTarget(out.notify, spec, verb);
  if (!target) return 'refused';
  const mode = outputMode(spec);
  if (mode !== 'show' && (await isReadOnly(target.document))) {
    void out.notify.warn(`"${fileNameOf(target.document)}" is read-only, so Hearth cannot ${verb} its text. Copy it into an editable file first.`);
    return 'refused';
  }
  const input: ActionInput = {
    spec,
    text: target.text,
    languageId: target.document.languageId,
    fileName: fileNameOf(target.document),
    wholeFile: target.wholeFile,
    startsMidLine: target.startsMidLine,
    eol: eolOfDocument(target.document),
    tabSize: tabSizeOf(target.editor),
  };
  const job = { target, input, title: actionTitle(spec) };
  if (mode === 'show') return showResult(out, job);
  if (mode === 'insertBelow') return insertBelow(out, job);
  return proposeReplacement(out, job);
}

/** A cancellation is just that; anything else is logged and shown with its fix. */
export function failureOutcome(log: vscode.LogOutputChannel, notify: Notify): (error: unknown) => ActionOutcome {
  return (error) => {
    if (isCancelled(error)) return 'cancelled';
    log.error(`Selection action failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    notify.engineError(error);
    return 'failed';
  };
}
