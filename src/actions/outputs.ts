/**
 * Where an action's result goes: a Markdown result beside the editor (show), lines inserted under the selection
 * (insertBelow), or a replacement streamed into a diff to accept or reject (replace). The model work runs under
 * one cancellable progress notification; failures end as an outcome, never as an exception.
 */
import * as vscode from 'vscode';
import type { Editing, Notify, ProposalOutcome } from '../common/editing';
import type { InferenceEngine } from '../common/engine';
import { isCancelled } from '../common/errors';
import { leadingWhitespace, toEol, type Eol } from '../common/text';
import { locateOriginal } from '../editing/locate';
import type { ModelProgress } from './progress';
import type { ResultView, ResultViews } from './resultView';
import { runAction, type RunInput } from './runner';
import { lastSelectedLine } from './selection';
import { SnapshotStream } from './snapshotStream';
import type { Target } from './target';

export type ActionOutcome = ProposalOutcome | 'shown' | 'inserted' | 'cancelled' | 'failed' | 'refused';

/** The request an action makes, less what each output adds (signal, streaming callbacks, base indentation). */
export type ActionInput = Omit<RunInput, 'signal' | 'onText' | 'onProgress' | 'baseIndent'> & { eol: Eol };

export interface ActionJob {
  target: Target;
  input: ActionInput;
  title: string;
}

export interface Outputs {
  engine: InferenceEngine;
  notify: Notify;
  editing: Editing;
  results: ResultViews;
  progress: ModelProgress;
  /** What a failure ends as: 'cancelled' for a cancellation, else logged, reported and 'failed'. */
  failed(error: unknown): ActionOutcome;
}

async function loadModel(engine: InferenceEngine, report: (message: string) => void, next: string): Promise<void> {
  report('loading the model…');
  await engine.modelInfo();
  report(next);
}

export async function showResult(out: Outputs, { target, input, title }: ActionJob): Promise<ActionOutcome> {
  let view: ResultView | undefined;
  try {
    return await out.progress(title, async (signal, report) => {
      await loadModel(out.engine, report, 'writing…');
      const lines = target.wholeFile ? '' : ` (lines ${target.range.start.line + 1}–${target.range.end.line + 1})`;
      view = await out.results.open(`${title} of ${input.fileName}`, `${title} of \`${input.fileName}\`${lines}`);
      await runAction(out.engine, { ...input, signal, onText: (t) => view!.update(t), onProgress: report });
      view.finish();
      return 'shown' as const;
    });
  } catch (error) {
    view?.finish(isCancelled(error) ? 'Cancelled.' : 'Failed; see the Hearth log.');
    return out.failed(error);
  }
}

export async function insertBelow(out: Outputs, { target, input, title }: ActionJob): Promise<ActionOutcome> {
  try {
    const version = target.document.version;
    const startOffset = target.document.offsetAt(target.range.start);
    const baseIndent = leadingWhitespace(target.document.lineAt(target.range.start.line).text);
    const result = await out.progress(title, async (signal, report) => {
      await loadModel(out.engine, report, 'writing…');
      return runAction(out.engine, { ...input, baseIndent, signal, onProgress: report });
    });
    if (!result.text.trim()) {
      void out.notify.info('The model produced nothing to insert.');
      return 'rejected';
    }
    return await insertText(out.notify, target, result.text, version, startOffset, input.eol);
  } catch (error) {
    return out.failed(error);
  }
}

/** Inserts under the selection, wherever the user's edits meanwhile moved it; never into text they changed. */
async function insertText(notify: Notify, target: Target, text: string, version: number, startOffset: number, eol: Eol): Promise<ActionOutcome> {
  const { document } = target;
  let range = target.range;
  if (document.version !== version) {
    const found = locateOriginal(document.getText(), target.text, startOffset);
    if (!found) {
      void notify.warn('The selected text was edited while Hearth was working, so nothing was inserted and your edits are kept. Run the action again.');
      return 'conflict';
    }
    range = new vscode.Range(document.positionAt(found.start), document.positionAt(found.end));
  }
  const at = document.lineAt(lastSelectedLine(range)).range.end;
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, at, eol + toEol(text, eol));
  if (!(await vscode.workspace.applyEdit(edit))) {
    void notify.error('Hearth could not insert the text: the editor refused the change.');
    return 'conflict';
  }
  return 'inserted';
}

/** Streams into a diff; the progress ends when the model does, the user's decision comes after. */
export async function proposeReplacement(out: Outputs, { target, input, title }: ActionJob): Promise<ActionOutcome> {
  const stream = new SnapshotStream();
  let decision: Promise<ProposalOutcome> | undefined;
  let controller: AbortController | undefined;
  try {
    await out.progress(title, async (signal, report) => {
      await loadModel(out.engine, report, 'writing a proposal…');
      controller = new AbortController();
      signal.addEventListener('abort', () => controller!.abort());
      decision = out.editing.propose({
        uri: target.document.uri,
        range: target.range,
        original: target.text,
        proposed: stream,
        title,
        snapshots: true,
        onRejectWhileStreaming: () => controller!.abort(),
      });
      // Settled through `decision` below; this keeps an early failure from being reported as unhandled.
      decision.catch(() => undefined);
      try {
        await runAction(out.engine, { ...input, signal: controller.signal, onText: (t) => stream.push(t), onProgress: report });
        stream.end();
      } catch (error) {
        stream.fail(error);
        throw error;
      }
    });
  } catch (error) {
    if (decision) await decision.catch(() => undefined);
    return out.failed(error);
  }
  return decision ? await decision : 'failed';
}
