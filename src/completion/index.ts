/**
 * Inline completions: the VS Code side. Thin on purpose — the pipeline (cache, debounce, prompt, newest-wins
 * requests, post-processing) lives in controller.ts and is shared with the benchmark; this file turns VS Code
 * events into snapshots and settings, and answers into InlineCompletionItems.
 */
import * as vscode from 'vscode';
import type { HearthServices } from '../common/services';
import { CompletionController, type CompletionCounters } from './controller';
import { defaultCompletionSettings, languageEnabled, sanitize, type CompletionSettings } from './settings';
import { CompletionStatusBar } from './statusBar';
import { relativePathOf, snapshotOf } from './vscodeDocument';

export interface CompletionApi {
  provider: vscode.InlineCompletionItemProvider;
  controller: CompletionController;
  readonly counters: CompletionCounters;
  /** Every suggestion handed to VS Code, with the document version it was computed for and the version then. */
  readonly shownLog: Array<{ uri: string; requestedVersion: number; servedVersion: number; text: string; fromCache: boolean }>;
  settings(): CompletionSettings;
  /** Until when completions are snoozed (ms since epoch), if they are. */
  readonly snoozedUntil: number | undefined;
}

/** Schemes that are not the user's text (output panes, SCM input, debug console, …). */
const SKIPPED_SCHEMES = new Set(['output', 'debug', 'vscode-scm', 'comment', 'git', 'vscode-terminal', 'search-editor']);
const IDLE_MS = 1500;
const CLIPBOARD_POLL_MS = 2000;
const MAX_CLIPBOARD_CHARS = 20_000;

export function readSettings(): CompletionSettings {
  const c = vscode.workspace.getConfiguration('hearth.completion');
  const d = defaultCompletionSettings;
  const get = <T>(name: string, fallback: T): T => c.get<T>(name, fallback);
  return sanitize({
    enabled: get('enabled', d.enabled),
    languages: get('languages', d.languages),
    prefixTokens: get('prefixTokens', d.prefixTokens),
    suffixTokens: get('suffixTokens', d.suffixTokens),
    extraContextTokens: get('extraContextTokens', d.extraContextTokens),
    extraContext: get('extraContext', d.extraContext),
    maxLines: get('maxLines', d.maxLines),
    maxTokens: get('maxTokens', d.maxTokens),
    singleLineMaxTokens: get('singleLineMaxTokens', d.singleLineMaxTokens),
    timeBudgetMs: get('timeBudgetMs', d.timeBudgetMs),
    singleLineTimeBudgetMs: get('singleLineTimeBudgetMs', d.singleLineTimeBudgetMs),
    debounceMinMs: get('debounceMinMs', d.debounceMinMs),
    debounceMaxMs: get('debounceMaxMs', d.debounceMaxMs),
    precomputeAfterAccept: get('precomputeAfterAccept', d.precomputeAfterAccept),
    fillInTheMiddle: get('fillInTheMiddle', d.fillInTheMiddle),
  });
}

export function registerCompletion(services: HearthServices): { disposables: vscode.Disposable[]; api: CompletionApi } {
  const { engine, log, context } = services;
  let settings = readSettings();
  const controller = new CompletionController({
    engine,
    settings: () => settings,
    reportError: (error) => services.reportError(error, { quiet: true }),
    log: (m) => log.debug(m),
  });
  const status = new CompletionStatusBar();
  const disposables: vscode.Disposable[] = [status];
  const shownLog: CompletionApi['shownLog'] = [];
  let snoozedUntil = context.globalState.get<number>('hearth.completion.snoozedUntil');
  if (snoozedUntil !== undefined && snoozedUntil <= Date.now()) snoozedUntil = undefined;
  let snoozeTimer: NodeJS.Timeout | undefined;

  const activeOn = (document: vscode.TextDocument | undefined): boolean =>
    document !== undefined && settings.enabled && !(snoozedUntil !== undefined && snoozedUntil > Date.now())
    && languageEnabled(settings, document.languageId) && !SKIPPED_SCHEMES.has(document.uri.scheme);

  const refreshStatus = () => {
    const doc = vscode.window.activeTextEditor?.document;
    status.update({
      enabled: settings.enabled,
      languageEnabled: doc ? languageEnabled(settings, doc.languageId) : true,
      languageId: doc?.languageId,
      snoozedUntil,
      phase: controller.phase,
      engine: engine.state,
      lastLatencyMs: controller.lastLatencyMs,
    });
  };

  // Clipboard: VS Code has no copy event, so look when a completion is asked for, at most every few seconds.
  let lastClipboardCheck = 0;
  let lastClipboard = '';
  const pollClipboard = () => {
    // In a browser (code-server, vscode.dev) reading the clipboard makes the page ask for permission or show an
    // error toast while the user types: never there.
    if (vscode.env.uiKind === vscode.UIKind.Web) return;
    if (!settings.extraContext || Date.now() - lastClipboardCheck < CLIPBOARD_POLL_MS) return;
    lastClipboardCheck = Date.now();
    void vscode.env.clipboard.readText().then((text) => {
      if (text === lastClipboard) return;
      lastClipboard = text;
      if (text.length <= MAX_CLIPBOARD_CHARS) controller.ring.add('clipboard', text);
    }, () => undefined);
  };

  const provider: vscode.InlineCompletionItemProvider = {
    async provideInlineCompletionItems(document, position, ctx, token) {
      if (!activeOn(document)) return undefined;
      pollClipboard();
      const requestedVersion = document.version;
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        const snapshot = snapshotOf(document, position);
        const served = await controller.provide(snapshot, {
          signal: abort.signal,
          explicit: ctx.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
          isStale: () => token.isCancellationRequested || document.version !== requestedVersion,
        });
        refreshStatus();
        if (!served || token.isCancellationRequested || document.version !== requestedVersion) return undefined;
        shownLog.push({ uri: document.uri.toString(), requestedVersion, servedVersion: document.version, text: served.text, fromCache: served.fromCache });
        if (shownLog.length > 500) shownLog.splice(0, shownLog.length - 500);
        const item = new vscode.InlineCompletionItem(served.text, new vscode.Range(position, position), {
          command: 'hearth.completion.accepted', title: 'Accepted', arguments: [document.uri.toString()],
        });
        return [item];
      } catch (error) {
        log.warn(`completion failed: ${(error as Error).message}`);
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  };

  disposables.push(vscode.languages.registerInlineCompletionItemProvider(
    [{ pattern: '**' }, { scheme: 'untitled' }, { scheme: 'vscode-notebook-cell' }],
    provider,
  ));

  // Extra context and idle warm-up.
  let idleTimer: NodeJS.Timeout | undefined;
  const idleAbort = { current: undefined as AbortController | undefined };
  const lastEditLine = new Map<string, number>();
  const addChunk = (document: vscode.TextDocument, line: number) => {
    if (!settings.extraContext || SKIPPED_SCHEMES.has(document.uri.scheme) || document.lineCount === 0) return;
    const from = Math.max(0, line - 32);
    const to = Math.min(document.lineCount - 1, line + 32);
    const text = document.getText(new vscode.Range(from, 0, to, document.lineAt(to).text.length));
    controller.ring.add(relativePathOf(document.uri), text, line - from);
  };
  const scheduleIdle = () => {
    idleAbort.current?.abort();
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !activeOn(editor.document) || !controller.ring.pending) return;
      const abort = new AbortController();
      idleAbort.current = abort;
      void controller.warm(snapshotOf(editor.document, editor.selection.active), abort.signal).then(refreshStatus, () => undefined);
    }, IDLE_MS);
  };

  disposables.push(
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      lastEditLine.set(e.document.uri.toString(), e.contentChanges[0].range.start.line);
      if (e.document === vscode.window.activeTextEditor?.document) {
        controller.noteKeystroke();
        scheduleIdle();
      }
    }),
    vscode.workspace.onDidSaveTextDocument((d) => {
      addChunk(d, lastEditLine.get(d.uri.toString()) ?? 0);
      scheduleIdle();
    }),
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (d.uri.scheme === 'file' || d.uri.scheme === 'untitled') addChunk(d, 0);
    }),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor) addChunk(editor.document, editor.selection.active.line);
      refreshStatus();
      scheduleIdle();
    }),
    vscode.window.onDidChangeTextEditorSelection(() => scheduleIdle()),
    engine.onDidChangeState(() => refreshStatus()),
    controller.onDidChangePhase(() => refreshStatus()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('hearth.completion')) return;
      settings = readSettings();
      if (!settings.enabled) controller.cancelAll();
      if (!settings.extraContext) controller.ring.clear();
      refreshStatus();
    }),
    { dispose: () => {
      if (idleTimer) clearTimeout(idleTimer);
      if (snoozeTimer) clearTimeout(snoozeTimer);
      idleAbort.current?.abort();
      controller.cancelAll();
    } },
  );

  // Commands.
  const setSnooze = (until: number | undefined) => {
    snoozedUntil = until;
    void context.globalState.update('hearth.completion.snoozedUntil', until);
    if (snoozeTimer) clearTimeout(snoozeTimer);
    if (until !== undefined) {
      controller.cancelAll();
      snoozeTimer = setTimeout(() => setSnooze(undefined), Math.max(0, until - Date.now()));
    }
    refreshStatus();
  };
  if (snoozedUntil !== undefined) setSnooze(snoozedUntil);

  const toggleGlobal = async () => {
    await vscode.workspace.getConfiguration('hearth.completion').update('enabled', !settings.enabled, vscode.ConfigurationTarget.Global);
  };
  const toggleLanguage = async (languageId?: string) => {
    const lang = typeof languageId === 'string' ? languageId : vscode.window.activeTextEditor?.document.languageId;
    if (!lang) {
      void vscode.window.showInformationMessage('Open a file to turn Hearth completions on or off for its language.');
      return;
    }
    const languages = { ...settings.languages, [lang]: !languageEnabled(settings, lang) };
    await vscode.workspace.getConfiguration('hearth.completion').update('languages', languages, vscode.ConfigurationTarget.Global);
  };
  const snooze = async (minutes?: number) => {
    let m = typeof minutes === 'number' ? minutes : undefined;
    if (m === undefined) {
      const pick = await vscode.window.showQuickPick(
        [
          ...(snoozedUntil ? [{ label: 'Resume now', minutes: 0 }] : []),
          { label: '5 minutes', minutes: 5 }, { label: '15 minutes', minutes: 15 }, { label: '30 minutes', minutes: 30 }, { label: '1 hour', minutes: 60 },
        ],
        { placeHolder: 'Snooze Hearth completions for…' },
      );
      if (!pick) return;
      m = pick.minutes;
    }
    setSnooze(m > 0 ? Date.now() + m * 60_000 : undefined);
  };

  disposables.push(
    vscode.commands.registerCommand('hearth.completion.toggle', toggleGlobal),
    vscode.commands.registerCommand('hearth.completion.toggleLanguage', toggleLanguage),
    vscode.commands.registerCommand('hearth.completion.snooze', snooze),
    vscode.commands.registerCommand('hearth.completion.menu', async () => {
      const lang = vscode.window.activeTextEditor?.document.languageId;
      const items: Array<vscode.QuickPickItem & { run: () => unknown }> = [
        { label: settings.enabled ? 'Turn completions off' : 'Turn completions on', run: toggleGlobal },
        ...(lang ? [{ label: `${languageEnabled(settings, lang) ? 'Turn off' : 'Turn on'} for ${lang}`, run: () => toggleLanguage(lang) }] : []),
        { label: snoozedUntil ? 'Snooze or resume…' : 'Snooze…', run: () => snooze() },
        { label: 'Show log', run: () => vscode.commands.executeCommand('hearth.showLog') },
      ];
      const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Hearth completions' });
      await pick?.run();
    }),
    vscode.commands.registerCommand('hearth.completion.accepted', async () => {
      controller.counters.accepted++;
      if (!settings.precomputeAfterAccept) return;
      // The accepted text is in the document once this runs; ask for what comes next before the user types it.
      const editor = vscode.window.activeTextEditor;
      if (!editor || !activeOn(editor.document)) return;
      await controller.provide(snapshotOf(editor.document, editor.selection.active), { explicit: true, background: true });
    }),
  );

  refreshStatus();
  const api: CompletionApi = {
    provider,
    controller,
    get counters() {
      return controller.counters;
    },
    shownLog,
    settings: () => settings,
    get snoozedUntil() {
      return snoozedUntil;
    },
  };
  return { disposables, api };
}
