// The chat in a real extension host with the real fixture model (tiny: it answers with children's-story noise,
// so these tests assert on behaviour — streaming, stopping, persistence — not on content).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ChatEvent } from '../../src/chat/controller';
import type { ChatApi } from '../../src/chat/index';
import { fimChatModel } from '../support/paths';

function withTimeout<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  return Promise.race([Promise.resolve(promise), new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

describe('chat (extension host, real model)', function () {
  this.timeout(120_000);
  let api: ChatApi;
  let previousModel: unknown;
  const hearth = () => vscode.workspace.getConfiguration('hearth');

  before(async () => {
    const exported = (await vscode.extensions.getExtension('hearth-dev.hearth')!.activate()) as { chat?: ChatApi };
    assert.ok(exported.chat, 'the extension API exposes chat (registerChat wired in src/extension.ts)');
    api = exported.chat;
    previousModel = hearth().inspect('modelPath')?.globalValue;
    await hearth().update('modelPath', fimChatModel, vscode.ConfigurationTarget.Global);
    await hearth().update('chat.maxTokens', 64, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await hearth().update('chat.maxTokens', undefined, vscode.ConfigurationTarget.Global);
    await hearth().update('modelPath', previousModel, vscode.ConfigurationTarget.Global);
  });

  it('resolves the chat view in the sidebar', async () => {
    await vscode.commands.executeCommand('hearth.chat.focus');
    const surface = await withTimeout(api.whenViewResolved(), 30_000, 'the chat view to resolve');
    assert.equal(surface, 'sidebar');
    assert.ok(api.sidebarResolved);
  });

  it('streams a real answer from the fixture model, chunk by chunk', async () => {
    await api.newChat();
    const events: ChatEvent[] = [];
    const sub = api.onEvent((e) => events.push(e));
    try {
      const turn = await api.send('Tell me a story about a little cat.');
      assert.ok(turn, 'no answer turn');
      assert.equal(turn.status, 'done', `answer ended as ${turn.status}: ${turn.error ?? ''}`);
      assert.ok(turn.content.trim().length > 0, 'empty answer');
      const chunks = events.filter((e) => e.type === 'chunk');
      assert.ok(chunks.length >= 2, `expected a streamed answer, got ${chunks.length} chunk(s)`);
      assert.ok(events.findIndex((e) => e.type === 'started') < events.findIndex((e) => e.type === 'chunk'));
      const conversation = api.current;
      assert.deepEqual(conversation.turns.map((t) => t.role), ['user', 'assistant']);
      assert.equal(conversation.title, 'Tell me a story about a little cat.');
    } finally {
      sub.dispose();
    }
  });

  it('stops a running answer within 100 ms, keeps the partial text, and the next question still works', async () => {
    await hearth().update('chat.maxTokens', 4000, vscode.ConfigurationTarget.Global);
    try {
      let firstChunk!: () => void;
      const chunked = new Promise<void>((r) => (firstChunk = r));
      const sub = api.onEvent((e) => e.type === 'chunk' && firstChunk());
      const answer = api.send('Once upon a time there was a long story. Tell all of it.');
      await withTimeout(chunked, 60_000, 'the first chunk');
      sub.dispose();
      const t0 = Date.now();
      await api.stop();
      const elapsed = Date.now() - t0;
      const turn = await answer;
      assert.ok(elapsed <= 100, `stop took ${elapsed} ms`);
      assert.equal(turn?.status, 'stopped');
      assert.ok((turn?.content.length ?? 0) > 0, 'the partial answer was dropped');
      assert.equal(api.busy, false);
    } finally {
      await hearth().update('chat.maxTokens', 64, vscode.ConfigurationTarget.Global);
    }
    const next = await withTimeout(api.send('And then?'), 60_000, 'an answer after a stop');
    assert.equal(next?.status, 'done', `after a stop the next answer ended as ${next?.status}: ${next?.error ?? ''}`);
  });

  it('regenerates the last answer and edits the last question', async () => {
    const before = api.current.turns.length;
    const regenerated = await api.regenerate();
    assert.equal(regenerated?.status, 'done');
    assert.equal(api.current.turns.length, before);
    const edited = await api.editLast('And what happened next?');
    assert.equal(edited?.status, 'done');
    assert.equal(api.current.turns.at(-2)?.content, 'And what happened next?');
  });

  it('persists conversations in the workspace history and reopens them', async () => {
    const id = api.current.id;
    const turns = api.current.turns.length;
    assert.ok(api.history().some((h) => h.id === id), 'the conversation is not in the history');
    await api.newChat();
    assert.notEqual(api.current.id, id);
    assert.equal(await api.openConversation(id), true);
    assert.equal(api.current.id, id);
    assert.equal(api.current.turns.length, turns);
  });

  it('refuses malformed webview messages without acting', async () => {
    const turns = api.current.turns.length;
    assert.equal(await api.postFromWebview({ type: 'send', text: 42 }), false);
    assert.equal(await api.postFromWebview({ type: 'runCommand', command: 'workbench.action.closeWindow' }), false);
    assert.equal(api.current.turns.length, turns);
  });

  it('offers the model to the Language Model API when the setting is on (where VS Code supports it)', async function () {
    const lm = (vscode as unknown as { lm?: { registerLanguageModelChatProvider?: unknown } }).lm;
    if (typeof lm?.registerLanguageModelChatProvider !== 'function') this.skip();
    await hearth().update('chat.registerLanguageModel', true, vscode.ConfigurationTarget.Global);
    try {
      assert.equal(api.languageModelRegistered, true);
      const models = await withTimeout(vscode.lm.selectChatModels({ vendor: 'hearth' }), 10_000, 'selectChatModels');
      assert.equal(models.length, 1, 'the Hearth model is not listed');
      const source = new vscode.CancellationTokenSource();
      const response = await withTimeout(
        models[0].sendRequest([vscode.LanguageModelChatMessage.User('Tell me a story.')], {}, source.token),
        30_000,
        'sendRequest',
      );
      let text = '';
      let pieces = 0;
      for await (const piece of response.text) {
        text += piece;
        pieces++;
      }
      assert.ok(text.length > 0 && pieces >= 2, `expected a streamed answer, got ${pieces} piece(s)`);
    } finally {
      await hearth().update('chat.registerLanguageModel', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal(api.languageModelRegistered, false);
  });

  it('opens the chat in an editor tab too', async () => {
    await vscode.commands.executeCommand('hearth.openChatInEditor');
    const findTab = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('hearth.chatPanel'));
    const until = Date.now() + 10_000;
    while (!findTab() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const tab = findTab();
    assert.ok(tab, `no chat editor tab among ${vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label).join(', ')}`);
    assert.equal(tab.label, 'Hearth Chat');
    assert.equal(await withTimeout(api.whenViewResolved(), 1000, 'a resolved view'), 'sidebar');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
