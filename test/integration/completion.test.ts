// Inline completions in a real extension host with the real fixture models (tiny: children's-story noise, so the
// assertions are about behaviour — a suggestion appears, accepting inserts it, the cache answers typed-through
// text without the model, a keystroke storm never leaves two generations running or serves stale text).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompletionApi } from '../../src/completion/index';
import type { InferenceEngine } from '../../src/engine/types';
import { fimChatModel, plainModel } from '../support/paths';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    const exported = (await vscode.extensions.getExtension('hearth-dev.hearth')!.activate()) as { completion?: CompletionApi; engine: InferenceEngine };
    assert.ok(exported.completion, 'the extension API exposes completion (registerCompletion wired in src/extension.ts)');
    api = exported.completion;
    engine = exported.engine;
    previousModel = hearth().inspect('modelPath')?.globalValue;
    await hearth().update('modelPath', fimChatModel, vscode.ConfigurationTarget.Global);
    // Nothing but the requests under test may reach the model.
    await set('completion.extraContext', false);
    await set('completion.precomputeAfterAccept', false);
    await set('completion.debounceMinMs', 0);
    await set('completion.debounceMaxMs', 0);
    await set('completion.singleLineTimeBudgetMs', 1000);
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
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    let accepted = false;
    for (let i = 0; i < 40 && !accepted; i++) {
      await sleep(100);
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
      accepted = editor.document.getText() !== original;
    }
    assert.ok(accepted, 'committing the inline suggestion changed nothing');
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
    const pending: Array<Promise<{ items: unknown; version: number }>> = [];
    let previous: vscode.CancellationTokenSource | undefined;
    let liveMax = 0;
    for (const ch of storm) {
      previous?.cancel();
      await vscode.commands.executeCommand('type', { text: ch });
      const source = new vscode.CancellationTokenSource();
      previous = source;
      const version = editor.document.version;
      pending.push(Promise.resolve(api.provider.provideInlineCompletionItems(editor.document, editor.selection.active, ctx(vscode.InlineCompletionTriggerKind.Automatic), source.token))
        .then((items) => ({ items, version })));
      liveMax = Math.max(liveMax, api.counters.live);
      await sleep(5);
    }
    const results = await Promise.all(pending);
    await sleep(500);
    assert.ok(liveMax <= 1, `${liveMax} generations live at once`);
    assert.ok(api.counters.maxLive <= 1, `peak ${api.counters.maxLive} live generations`);
    assert.ok(api.counters.inFlight <= 1, `${api.counters.inFlight} requests still in flight after the storm`);
    const finalVersion = editor.document.version;
    for (const r of results) {
      const list = Array.isArray(r.items) ? r.items : [];
      if (r.version !== finalVersion) assert.equal(list.length, 0, `a suggestion was returned for stale version ${r.version}`);
    }
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
    await sleep(200);
    assert.equal(api.settings().languages.plaintext, false);
    assert.equal(await ask(api, editor), undefined, 'language off: no suggestion');
    await vscode.commands.executeCommand('hearth.completion.toggleLanguage', 'plaintext');
    await sleep(200);
    changed.push('completion.languages');
    assert.equal(api.settings().languages.plaintext, true);
  });
});
