/**
 * Selection actions: the commands, menus' targets and where each result goes. The work itself (prompts,
 * splitting, cleaning) lives in the vscode-free modules beside this one.
 */
import * as vscode from 'vscode';
import type { HearthServices } from '../common/services';
import { isCancelled } from '../common/errors';
import { parseCustomActions, type CustomAction } from './customActions';
import { locateOriginal } from './locate';
import { windowNotify, type Notify } from './notify';
import { onDidChangeProposals, pendingProposals, registerProposals, setProposalNotify, showProposal, type ProposalInfo, type ProposalOutcome } from './proposal';
import { actionTitle, outputMode, type ActionSpec } from './prompts';
import { instructionPicks, rememberInstruction } from './recent';
import { ResultViews, type ResultInfo } from './resultView';
import { runAction } from './runner';

export { proposeReplacement } from './proposal';

const RECENT_KEY = 'hearth.actions.recentInstructions';

export type ActionOutcome = ProposalOutcome | 'shown' | 'inserted' | 'cancelled' | 'failed' | 'refused';

export interface ActionsApi {
  /** Every user-facing message goes through here; tests replace its methods to capture them. */
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

interface Target {
  editor: vscode.TextEditor;
  document: vscode.TextDocument;
  range: vscode.Range;
  text: string;
  wholeFile: boolean;
  startsMidLine: boolean;
}

export function registerActions(services: HearthServices): { disposables: vscode.Disposable[]; api: ActionsApi } {
  const { engine, context, log } = services;
  const results = new ResultViews();
  const running = new Set<AbortController>();
  const notify: Notify = windowNotify((e) => services.reportError(e));
  // Proposal messages go through the same object, so tests capture those too.
  const proposalNotify: Notify = {
    info: (m, ...a) => notify.info(m, ...a),
    warn: (m, ...a) => notify.warn(m, ...a),
    error: (m, ...a) => notify.error(m, ...a),
    engineError: (e) => notify.engineError(e),
  };
  setProposalNotify(proposalNotify);

  const readCustom = (): CustomAction[] => {
    const { actions, problems } = parseCustomActions(vscode.workspace.getConfiguration('hearth').get('actions.custom'));
    for (const p of problems) log.warn(p);
    return actions;
  };

  /** What to act on: the selection, or for show-mode actions the whole file when nothing is selected. */
  const resolveTarget = (spec: ActionSpec, verb: string): Target | undefined => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void notify.info(`Open a file and select some text to ${verb}.`);
      return undefined;
    }
    const { document, selection } = editor;
    const mode = outputMode(spec);
    if (selection.isEmpty) {
      if (mode !== 'show') {
        void notify.info(`Select the text to ${verb} first.`);
        return undefined;
      }
      const all = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
      if (document.getText().trim().length === 0) {
        void notify.info(`This file is empty: there is nothing to ${verb}.`);
        return undefined;
      }
      return { editor, document, range: all, text: document.getText(), wholeFile: true, startsMidLine: false };
    }
    let range: vscode.Range = selection;
    // A selection that starts inside the line's indentation is taken from the line start, so the original's
    // indentation is known and the replacement can keep it.
    const before = document.lineAt(range.start.line).text.slice(0, range.start.character);
    if (range.start.character > 0 && /^[ \t]*$/.test(before)) range = new vscode.Range(range.start.with({ character: 0 }), range.end);
    const text = document.getText(range);
    if (text.trim().length === 0) {
      void notify.info(`The selection is only whitespace: select some text to ${verb}.`);
      return undefined;
    }
    return { editor, document, range, text, wholeFile: false, startsMidLine: range.start.character > 0 };
  };

  const isReadOnly = async (document: vscode.TextDocument): Promise<boolean> => {
    const scheme = document.uri.scheme;
    if (scheme === 'untitled') return false;
    const writable = vscode.workspace.fs.isWritableFileSystem(scheme);
    if (writable === false) return true;
    if (writable === undefined) return true; // content-provider documents (git:, output, …) cannot be edited
    try {
      const stat = await vscode.workspace.fs.stat(document.uri);
      return ((stat.permissions ?? 0) & vscode.FilePermission.Readonly) !== 0;
    } catch {
      return false;
    }
  };

  /** One cancellable progress notification around the model work; Cancel aborts the request. */
  const withModelProgress = <T>(title: string, work: (signal: AbortSignal, report: (message: string) => void) => Promise<T>): Thenable<T> =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Hearth: ${title}`, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      running.add(controller);
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        return await work(controller.signal, (message) => progress.report({ message }));
      } finally {
        subscription.dispose();
        running.delete(controller);
      }
    });

  const tabSizeOf = (editor: vscode.TextEditor): number => (typeof editor.options.tabSize === 'number' ? editor.options.tabSize : 4);

  const fileNameOf = (document: vscode.TextDocument): string => document.uri.path.split('/').pop() || document.uri.toString();

  const failed = (error: unknown): ActionOutcome => {
    if (isCancelled(error)) return 'cancelled';
    log.error(`Selection action failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    notify.engineError(error);
    return 'failed';
  };

  async function run(spec: ActionSpec, verb: string): Promise<ActionOutcome> {
    const target = resolveTarget(spec, verb);
    if (!target) return 'refused';
    const mode = outputMode(spec);
    const title = actionTitle(spec);
    if (mode !== 'show' && (await isReadOnly(target.document))) {
      void notify.warn(`"${fileNameOf(target.document)}" is read-only, so Hearth cannot ${verb} its text. Copy it into an editable file first.`);
      return 'refused';
    }
    const eol: '\n' | '\r\n' = target.document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const input = {
      spec,
      text: target.text,
      languageId: target.document.languageId,
      fileName: fileNameOf(target.document),
      wholeFile: target.wholeFile,
      startsMidLine: target.startsMidLine,
      eol,
      tabSize: tabSizeOf(target.editor),
    };

    if (mode === 'show') {
      let view: Awaited<ReturnType<ResultViews['open']>> | undefined;
      try {
        return await withModelProgress(title, async (signal, report) => {
          report('loading the model…');
          await engine.modelInfo();
          report('writing…');
          const lines = target.wholeFile ? '' : ` (lines ${target.range.start.line + 1}–${target.range.end.line + 1})`;
          view = await results.open(`${title} of ${input.fileName}`, `${title} of \`${input.fileName}\`${lines}`);
          await runAction(engine, { ...input, signal, onText: (t) => view!.update(t), onProgress: report });
          view.finish();
          return 'shown' as const;
        });
      } catch (error) {
        view?.finish(isCancelled(error) ? 'Cancelled.' : 'Failed; see the Hearth log.');
        return failed(error);
      }
    }

    if (mode === 'insertBelow') {
      try {
        const version = target.document.version;
        const startOffset = target.document.offsetAt(target.range.start);
        const baseIndent = /^[ \t]*/.exec(target.document.lineAt(target.range.start.line).text)![0];
        const result = await withModelProgress(title, async (signal, report) => {
          report('loading the model…');
          await engine.modelInfo();
          report('writing…');
          return runAction(engine, { ...input, baseIndent, signal, onProgress: report });
        });
        if (!result.text.trim()) {
          void notify.info('The model produced nothing to insert.');
          return 'rejected';
        }
        return await insertBelow(target, result.text, version, startOffset, eol);
      } catch (error) {
        return failed(error);
      }
    }

    // replace: stream into a diff; the progress ends when the model does, the decision comes after.
    const stream = new SnapshotStream();
    let decision: Promise<ProposalOutcome> | undefined;
    let controller: AbortController | undefined;
    try {
      await withModelProgress(title, async (signal, report) => {
        report('loading the model…');
        await engine.modelInfo();
        report('writing a proposal…');
        controller = new AbortController();
        signal.addEventListener('abort', () => controller!.abort());
        decision = showProposal({
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
          await runAction(engine, { ...input, signal: controller.signal, onText: (t) => stream.push(t), onProgress: report });
          stream.end();
        } catch (error) {
          stream.fail(error);
          throw error;
        }
      });
    } catch (error) {
      if (decision) await decision.catch(() => undefined);
      return failed(error);
    }
    return decision ? await decision : 'failed';
  }

  async function insertBelow(target: Target, text: string, version: number, startOffset: number, eol: string): Promise<ActionOutcome> {
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
    // A selection of whole lines ends at column 0 of the next line: insert after its last real line.
    const lastLine = range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
    const at = document.lineAt(lastLine).range.end;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, at, eol + text.replace(/\r?\n/g, eol));
    if (!(await vscode.workspace.applyEdit(edit))) {
      void notify.error('Hearth could not insert the text: the editor refused the change.');
      return 'conflict';
    }
    return 'inserted';
  }

  async function pickInstruction(): Promise<string | undefined> {
    const recent = context.globalState.get<string[]>(RECENT_KEY, []);
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { instruction: string }>();
    pick.title = 'Hearth: Transform Selection';
    pick.placeholder = 'What should change? e.g. "convert to async/await", "make it more formal"';
    pick.matchOnDescription = false;
    const refresh = () => {
      // The typed text is always the first item, so Enter runs exactly what was typed.
      pick.items = instructionPicks(recent, pick.value).map((p) => ({
        label: p.label,
        instruction: p.instruction,
        description: p.recent ? 'recent' : undefined,
        alwaysShow: true,
      }));
    };
    refresh();
    return new Promise<string | undefined>((resolve) => {
      const subscriptions = [
        pick.onDidChangeValue(refresh),
        pick.onDidAccept(() => {
          const chosen = pick.selectedItems[0]?.instruction ?? pick.value.trim();
          resolve(chosen || undefined);
          pick.hide();
        }),
        pick.onDidHide(() => {
          resolve(undefined);
          for (const s of subscriptions) s.dispose();
          pick.dispose();
        }),
      ];
      pick.show();
    });
  }

  const commands = [
    vscode.commands.registerCommand('hearth.summarizeSelection', () => run({ type: 'summarize' }, 'summarize')),
    vscode.commands.registerCommand('hearth.explainSelection', () => run({ type: 'explain' }, 'explain')),
    vscode.commands.registerCommand('hearth.rewriteSelection', () => run({ type: 'rewrite' }, 'rewrite')),
    vscode.commands.registerCommand('hearth.transformSelection', async (args?: { instruction?: string }) => {
      // Check the selection before asking for an instruction that could not be used.
      if (!resolveTarget({ type: 'rewrite' }, 'transform')) return 'refused';
      const instruction = typeof args?.instruction === 'string' && args.instruction.trim() ? args.instruction : await pickInstruction();
      if (!instruction) return 'cancelled';
      await context.globalState.update(RECENT_KEY, rememberInstruction(context.globalState.get<string[]>(RECENT_KEY, []), instruction));
      return run({ type: 'transform', instruction }, 'transform');
    }),
    vscode.commands.registerCommand('hearth.runCustomAction', async (name?: unknown) => {
      const actions = readCustom();
      if (actions.length === 0) {
        const choice = await notify.info(
          'No custom actions yet. Add them to the "hearth.actions.custom" setting: a name, a prompt with {{selection}}, and an output (replace, insertBelow or show).',
          'Open Settings',
        );
        if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'hearth.actions.custom');
        return 'refused';
      }
      let action = typeof name === 'string' ? actions.find((a) => a.name.toLowerCase() === name.toLowerCase()) : undefined;
      if (typeof name === 'string' && !action) {
        void notify.warn(`There is no custom action named "${name}".`);
        return 'refused';
      }
      if (!action) {
        const chosen = await vscode.window.showQuickPick(
          actions.map((a) => ({ label: a.name, description: a.output === 'show' ? 'show result' : a.output === 'insertBelow' ? 'insert below' : 'replace (diff)', action: a })),
          { title: 'Hearth: Run Custom Action', placeHolder: 'Which action?' },
        );
        action = chosen?.action;
      }
      if (!action) return 'cancelled';
      return run({ type: 'custom', action }, action.name);
    }),
  ];

  const api: ActionsApi = {
    notify,
    recentInstructions: () => context.globalState.get<string[]>(RECENT_KEY, []),
    pendingProposals,
    onDidChangeProposals,
    results: () => results.list(),
    running: () => running.size,
    cancelRunning: () => {
      const n = running.size;
      for (const c of running) c.abort();
      return n;
    },
    customActions: readCustom,
  };
  return { disposables: [registerProposals(), results, ...commands], api };
}

/** Snapshots of the cleaned proposal, consumed by the diff as they arrive (the latest one wins). */
class SnapshotStream implements AsyncIterable<string> {
  private latest: string | undefined;
  private ended = false;
  private error: unknown;
  private wake: (() => void) | undefined;

  push(snapshot: string): void {
    this.latest = snapshot;
    this.signal();
  }

  end(): void {
    this.ended = true;
    this.signal();
  }

  fail(error: unknown): void {
    this.error = error ?? new Error('failed');
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      if (this.error !== undefined) throw this.error;
      if (this.latest !== undefined) {
        const value = this.latest;
        this.latest = undefined;
        yield value;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
