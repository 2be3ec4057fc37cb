// Inline completions in a real extension host with the real fixture models (tiny: children's-story noise, so the
// assertions are about behaviour — a suggestion appears, accepting inserts it, the cache answers typed-through
// text without the model, a keystroke storm never leaves two generations running or serves stale text).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompletionApi } from '../../src/completion/index';
import type { HearthApi } from '../../src/extension';
import { tokensToChars } from '../../src/common/text';
import type { InferenceEngine } from '../../src/common/engine';
import { fimChatModel, plainModel } from '../support/paths';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits for a condition (settings reach the extension through an event), never for a fixed time. */
async function waitUntil(probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!probe() && Date.now() < until) await sleep(20);
}

async function generations(engine: InferenceEngine): Promise<{ infill: number; complete: number }> {
  const stats = await engine.stats();
  return { infill: stats?.requests.infill ?? 0, complete: stats?.requests.complete ?? 0 };
}

const ctx = (kind: vscode.InlineCompletionTriggerKind): vscode.InlineCompletionContext => ({ triggerKind: kind, selectedCompletionInfo: undefined });

async function ask(api: CompletionApi, editor: vscode.TextEditor, token = new vscode.CancellationTokenSource().token) {
  const items = await api.provider.provideInlineCompletionItems(editor.document, editor.selection.active, ctx(vscode.InlineCompletionTriggerKind.Invoke), token);
  const list = Array.isArray(items) ? items : items?.items ?? [];
  return list[0] as vscode.InlineCompletionItem | undefined;
}

const openings = [
  'Once upon a time, there was a little girl named Lily. She',
  'One day, a big dog went to the park. The dog',
  'Tom and Sue were friends. They liked to play with',
  'The sun was shining and the birds were singing. Mom said',
  'There was a small cat who lived in a house. Every day the cat',
];

/** Opens untitled documents until the tiny model says something post-processing keeps. */
async function editorWithSuggestion(api: CompletionApi): Promise<{ editor: vscode.TextEditor; item: vscode.InlineCompletionItem; text: string }> {
  for (const opening of openings) {
    const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content: opening });
    const editor = await vscode.window.showTextDocument(document);
    const end = document.lineAt(0).range.end;
    editor.selection = new vscode.Selection(end, end);
    const item = await ask(api, editor);
    if (item && typeof item.insertText === 'string' && item.insertText.trim().length >= 2) return { editor, item, text: item.insertText };
  }
  throw new Error('the model produced no usable suggestion for any opening');
}

/** Accepts the shown suggestion through VS Code's own commands; resolves whether the document changed. */
async function acceptShown(editor: vscode.TextEditor): Promise<boolean> {
  const original = editor.document.getText();
  await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
  for (let i = 0; i < 40; i++) {
    await sleep(100);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    if (editor.document.getText() !== original) return true;
  }
  return false;
}

/** Opens `cells` as a notebook: Jupyter's type when a serializer for it is installed, else a test-only one. */
async function openTestNotebook(cells: vscode.NotebookCellData[]): Promise<{ notebook: vscode.NotebookDocument; registration?: vscode.Disposable }> {
  const data = new vscode.NotebookData(cells);
  try {
    return { notebook: await vscode.workspace.openNotebookDocument('jupyter-notebook', data) };
  } catch {
    // code-server without the built-in ipynb extension: any registered serializer gives the same cell documents.
    const registration = vscode.workspace.registerNotebookSerializer('hearth-test-notebook', {
      deserializeNotebook: () => new vscode.NotebookData([]),
      serializeNotebook: () => new Uint8Array(),
    });
    return { notebook: await vscode.workspace.openNotebookDocument('hearth-test-notebook', data), registration };
  }
}

describe('completion (extension host, real model)', function () {
  this.timeout(180_000);
  let api: CompletionApi;
  let engine: InferenceEngine;
  const hearth = () => vscode.workspace.getConfiguration('hearth');
  const changed: string[] = [];
  const set = async (key: string, value: unknown) => {
    changed.push(key);
    await hearth().update(key, value, vscode.ConfigurationTarget.Global);
  };
  let previousModel: unknown;

  before(async () => {
    const exported = await vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth')!.activate();
    assert.ok(exported.completion, 'the extension API exposes completion (registerCompletion wired in src/extension.ts)');
    api = exported.completion;
    engine = exported.engines.completion;
    previousModel = hearth().inspect('modelPath')?.globalValue;
    await hearth().update('modelPath', fimChatModel, vscode.ConfigurationTarget.Global);
    // Nothing but the requests under test may reach the model.
    await set('completion.extraContext', false);
    await set('completion.precomputeAfterAccept', false);
    await set('completion.debounceMinMs', 0);
    await set('completion.debounceMaxMs', 0);
    await set('completion.singleLineTimeBudgetMs', 1000);
    await waitUntil(() => { const s = api.settings(); return !s.extraContext && !s.precomputeAfterAccept && s.debounceMaxMs === 0 && s.singleLineTimeBudgetMs === 1000; });
  });

  after(async () => {
    for (const key of changed) await hearth().update(key, undefined, vscode.ConfigurationTarget.Global);
    await hearth().update('modelPath', previousModel, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('FIM model: typing produces a suggestion through infill, and accepting inserts it', async () => {
    const before = await generations(engine);
    const { editor, text } = await editorWithSuggestion(api);
    const after = await generations(engine);
    assert.ok(after.infill > before.infill, 'the FIM model was asked with infill');
    assert.equal(after.complete, before.complete, 'no plain completion for a FIM model');
    const original = editor.document.getText();
    // VS Code's own path: trigger shows the suggestion (served from the cache now), commit accepts it.
    assert.ok(await acceptShown(editor), 'committing the inline suggestion changed nothing');
    assert.equal(editor.document.getText(), original + text);
  });

  it('typing through a shown suggestion is served from the cache with zero model calls', async () => {
    const { editor, text } = await editorWithSuggestion(api);
    const typed = text.slice(0, 1);
    const before = await generations(engine);
    const hits = api.counters.cacheHits;
    await editor.edit((b) => b.insert(editor.selection.active, typed));
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    const item = await ask(api, editor);
    assert.equal(item?.insertText, text.slice(typed.length));
    assert.deepEqual(await generations(engine), before, 'the engine was asked again');
    assert.ok(api.counters.cacheHits >= hits + 1, "served from the cache");
  });

  it('a storm of 50 fast keystrokes: at most one generation live, never a suggestion for stale text', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'Lily went to the park and ' });
    const editor = await vscode.window.showTextDocument(document);
    const end = document.lineAt(0).range.end;
    editor.selection = new vscode.Selection(end, end);
    const storm = 'she saw a big red ball near the tree and he played';
    assert.equal(storm.length, 50);
    const logStart = api.shownLog.length;
    // Each answer is judged at the moment it is returned: a suggestion is stale only if the document changed
    // between the request and its answer (a cache hit or a fast answer may rightly resolve before the next key).
    const pending: Array<Promise<{ items: unknown; version: number; versionAtReturn: number }>> = [];
    let previous: vscode.CancellationTokenSource | undefined;
    let liveMax = 0;
    for (const ch of storm) {
      previous?.cancel();
      await vscode.commands.executeCommand('type', { text: ch });
      const source = new vscode.CancellationTokenSource();
      previous = source;
      const version = editor.document.version;
      pending.push(Promise.resolve(api.provider.provideInlineCompletionItems(editor.document, editor.selection.active, ctx(vscode.InlineCompletionTriggerKind.Automatic), source.token))
        .then((items) => ({ items, version, versionAtReturn: editor.document.version })));
      liveMax = Math.max(liveMax, api.counters.live);
      await sleep(5);
    }
    const results = await Promise.all(pending);
    await sleep(500);
    assert.ok(liveMax <= 1, `${liveMax} generations live at once`);
    assert.ok(api.counters.maxLive <= 1, `peak ${api.counters.maxLive} live generations`);
    assert.ok(api.counters.inFlight <= 1, `${api.counters.inFlight} requests still in flight after the storm`);
    let answered = 0;
    for (const r of results) {
      const list = Array.isArray(r.items) ? r.items : [];
      if (list.length > 0) answered++;
      if (r.versionAtReturn !== r.version) assert.equal(list.length, 0, `a suggestion for version ${r.version} was returned when the document was at ${r.versionAtReturn}`);
    }
    // The last keystroke's request is never superseded, so its answer (or a definitive empty one) stands.
    assert.equal(results.at(-1)!.versionAtReturn, results.at(-1)!.version);
    console.log(`      storm: ${answered} of ${results.length} requests answered with a suggestion for the text as it stood`);
    for (const shown of api.shownLog.slice(logStart)) assert.equal(shown.servedVersion, shown.requestedVersion, 'served for stale text');
    assert.equal(editor.document.getText(), `Lily went to the park and ${storm}`);
  });

  it('plain model (no FIM tokens): prefix-only completion, no infill, no error', async () => {
    await hearth().update('modelPath', plainModel, vscode.ConfigurationTarget.Global);
    try {
      await engine.modelInfo(); // loads the plain model in a fresh worker, whose counts start at zero
      assert.equal(engine.loadedModel?.supportsInfill, false);
      const before = await generations(engine);
      const errors = api.counters.errors;
      const { text } = await editorWithSuggestion(api);
      assert.ok(!/<fim|<\|fim|<PRE>|<SUF>|<MID>/.test(text), 'no FIM marker leaks into the suggestion');
      const after = await generations(engine);
      assert.ok(after.complete > before.complete, 'asked with a plain completion');
      assert.equal(after.infill, before.infill, 'never asked for infill');
      const stats = await engine.stats();
      assert.ok((stats?.requests.complete ?? 0) > 0);
      assert.equal(api.counters.errors, errors, 'no error for a model without FIM tokens');
    } finally {
      await hearth().update('modelPath', fimChatModel, vscode.ConfigurationTarget.Global);
    }
  });

  it('status bar, toggle and snooze commands switch completions off and on', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'Once upon a time' });
    const editor = await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('hearth.completion.snooze', 5);
    assert.ok(api.snoozedUntil && api.snoozedUntil > Date.now());
    assert.equal(await ask(api, editor), undefined, 'snoozed: no suggestion');
    await vscode.commands.executeCommand('hearth.completion.snooze', 0);
    assert.equal(api.snoozedUntil, undefined);
    await vscode.commands.executeCommand('hearth.completion.toggleLanguage', 'plaintext');
    await waitUntil(() => api.settings().languages.plaintext === false);
    assert.equal(api.settings().languages.plaintext, false);
    assert.equal(await ask(api, editor), undefined, 'language off: no suggestion');
    await vscode.commands.executeCommand('hearth.completion.toggleLanguage', 'plaintext');
    changed.push('completion.languages');
    await waitUntil(() => api.settings().languages.plaintext === true);
    assert.equal(api.settings().languages.plaintext, true);
  });
  it('notebook code cell: the cell document gets a suggestion or a definitive empty answer, without error', async () => {
    const { notebook, registration } = await openTestNotebook([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'import math', 'python'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# Adding numbers', 'markdown'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'def add(a, b):\n    return', 'python'),
    ]);
    try {
      console.log(`      notebook type: ${notebook.notebookType}`);
      const cell = notebook.cellAt(2);
      assert.equal(cell.document.uri.scheme, 'vscode-notebook-cell');
      assert.equal(cell.document.languageId, 'python');
      await vscode.window.showNotebookDocument(notebook, { selections: [new vscode.NotebookRange(2, 3)] });
      const position = cell.document.lineAt(1).range.end;
      const before = { ...api.counters };
      const stats = await generations(engine);
      const items = await api.provider.provideInlineCompletionItems(cell.document, position, ctx(vscode.InlineCompletionTriggerKind.Invoke), new vscode.CancellationTokenSource().token);
      const list = Array.isArray(items) ? items : items?.items ?? [];
      assert.equal(api.counters.errors, before.errors, 'no error for a notebook cell');
      assert.ok((await generations(engine)).infill > stats.infill, 'the model was asked (infill) for the cell');
      if (list.length > 0) {
        const text = list[0].insertText;
        assert.equal(typeof text, 'string');
        assert.ok((text as string).length > 0);
        assert.ok(!/<fim|<\|fim|<PRE>|<SUF>|<MID>/.test(text as string), 'no FIM marker leaks into the suggestion');
        assert.equal(api.shownLog.at(-1)?.uri, cell.document.uri.toString(), 'the suggestion was logged for the cell');
      } else {
        assert.ok(api.counters.empty > before.empty, 'no suggestion and no definitive "nothing here" either (cancelled or stale?)');
      }
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      registration?.dispose();
    }
  });

  it('a file over 1 MB: the prompt stays within the configured budgets, so the answer costs no more than a small file does', async () => {
    const budgets = { prefixTokens: 96, suffixTokens: 32, extraContextTokens: 32 };
    try {
      for (const [key, value] of Object.entries(budgets)) await hearth().update(`completion.${key}`, value, vscode.ConfigurationTarget.Global);
      await waitUntil(() => api.settings().prefixTokens === budgets.prefixTokens && api.settings().suffixTokens === budgets.suffixTokens);
      assert.equal(api.settings().prefixTokens, budgets.prefixTokens);
      assert.equal(api.settings().suffixTokens, budgets.suffixTokens);

      const lines: string[] = [];
      for (let i = 0; i < 30_000; i++) lines.push(`${i}: Once upon a time there was a little dog named Max who liked to run.`);
      const content = lines.join('\n');
      assert.ok(content.length > 1024 * 1024, `only ${content.length} characters`);
      const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content });
      const editor = await vscode.window.showTextDocument(document);
      assert.equal(document.lineCount, 30_000);
      const middle = new vscode.Position(15_000, document.lineAt(15_000).text.indexOf(' who'));
      editor.selection = new vscode.Selection(middle, middle);

      // The tiny vocabulary tokenizes less densely than the pipeline's chars-per-token estimate: measure it here.
      const sample = lines.slice(14_990, 15_010).join('\n');
      const tokensPerChar = (await engine.countTokens(sample)) / sample.length;
      const budgetChars = tokensToChars(budgets.prefixTokens) + tokensToChars(budgets.suffixTokens) + tokensToChars(budgets.extraContextTokens);
      // Slack: the file header comment, the FIM control tokens and BOS.
      const bound = Math.ceil(budgetChars * tokensPerChar * 1.1) + 24;
      const info = await engine.modelInfo();
      assert.ok(bound < info.contextSize * 0.75, `bound ${bound} is too loose to tell against a ${info.contextSize}-token context`);

      const before = await generations(engine);
      const errors = api.counters.errors;
      const started = Date.now();
      await ask(api, editor);
      const elapsed = Date.now() - started;
      assert.equal(api.counters.errors, errors, 'no error for a large file');
      assert.ok((await generations(engine)).infill > before.infill, 'the engine was asked');
      const last = (await engine.stats())?.last;
      assert.ok(last, 'the worker reports the last request');
      assert.equal(last.type, 'infill');
      assert.ok(last.promptTokens > 0);
      console.log(`      1 MB+: ${last.promptTokens} prompt tokens (bound ${bound}), ${elapsed} ms`);
      assert.ok(last.promptTokens <= bound, `${last.promptTokens} prompt tokens, over the budgeted ${bound}`);
      assert.equal(last.truncatedTokens, 0, 'the worker had to cut the prompt to fit the context');
    } finally {
      for (const key of Object.keys(budgets)) await hearth().update(`completion.${key}`, undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('CRLF document: suggestions use \\r\\n, and accepting one leaves no lone \\n behind', async () => {
    // A line ending in a colon opens a block in plain text, so the suggestion may go on over several lines.
    const stories = [
      'Once upon a time, there was a little girl named Lily.\r\nShe liked to play outside. This is her story:',
      'One day, a big dog went to the park.\r\nThe dog was happy. Here is what happened:',
      'Tom and Sue were friends.\r\nThey liked to play with a ball. The story:',
      'The sun was shining and the birds were singing.\r\nMom said:',
      'There was a small cat who lived in a house.\r\nEvery day the cat',
    ];
    // At temperature 0 the tiny model writes its first line break after some 80 tokens: leave room for it.
    const longer = { maxTokens: 200, timeBudgetMs: 5000 };
    for (const [key, value] of Object.entries(longer)) await hearth().update(`completion.${key}`, value, vscode.ConfigurationTarget.Global);
    await waitUntil(() => api.settings().maxTokens === longer.maxTokens && api.settings().timeBudgetMs === longer.timeBudgetMs);
    assert.equal(api.settings().maxTokens, longer.maxTokens);
    try {
      let found: { editor: vscode.TextEditor; text: string } | undefined;
      let singleLine: { editor: vscode.TextEditor; text: string } | undefined;
      for (const story of stories) {
        const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content: story });
        const editor = await vscode.window.showTextDocument(document);
        assert.equal(document.eol, vscode.EndOfLine.CRLF, 'the untitled document keeps CRLF');
        const end = document.lineAt(document.lineCount - 1).range.end;
        editor.selection = new vscode.Selection(end, end);
        const item = await ask(api, editor);
        if (!item || typeof item.insertText !== 'string' || item.insertText.trim().length < 2) continue;
        if (/[\r\n]/.test(item.insertText)) {
          found = { editor, text: item.insertText };
          break;
        }
        singleLine ??= { editor, text: item.insertText };
      }
      const chosen = found ?? singleLine;
      assert.ok(chosen, 'the model produced no usable suggestion for any story');
      const { editor, text } = chosen;
      if (found) {
        assert.ok(text.includes('\r\n'), `a multi-line suggestion without \\r\\n: ${JSON.stringify(text)}`);
        assert.ok(!/(?<!\r)\n/.test(text), `a lone \\n in ${JSON.stringify(text)}`);
        assert.ok(!/\r(?!\n)/.test(text), `a lone \\r in ${JSON.stringify(text)}`);
      }
      await vscode.window.showTextDocument(editor.document);
      const original = editor.document.getText();
      assert.ok(await acceptShown(editor), 'committing the inline suggestion changed nothing');
      assert.equal(editor.document.getText(), original + text);
      assert.equal(editor.document.eol, vscode.EndOfLine.CRLF);
      assert.ok(!/(?<!\r)\n/.test(editor.document.getText()), 'a lone \\n in the document after accepting');
      console.log(`      CRLF: ${found ? 'multi-line' : 'single-line'} suggestion ${JSON.stringify(text)}`);
    } finally {
      for (const key of Object.keys(longer)) await hearth().update(`completion.${key}`, undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
