/**
 * hearth.engine: remote in the real extension host: a real llama-server (bench/native/build.sh) serves the FIM +
 * chat fixture on 127.0.0.1, and inline completions and chat run on it with no worker
 * started; the status bar says which engine and model serve each job; the API key travels only through
 * SecretStorage; plain http to another machine is warned about without connecting to it.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension';
import { startLlamaServer, type LlamaServer } from '../support/llamaServer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const openings = [
  'Once upon a time, there was a little girl named Lily. She',
  'One day, a big dog went to the park. The dog',
  'Tom and Sue were friends. They liked to play with',
  'There was a small cat who lived in a house. Every day the cat',
];

describe('remote engine (extension host, real llama-server)', function () {
  this.timeout(180_000);
  let api: HearthApi;
  let server: LlamaServer;
  const hearth = () => vscode.workspace.getConfiguration('hearth');
  const touched = ['engine', 'remote.url', 'remote.jobs'];

  before(async () => {
    api = await vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth')!.activate();
    server = await startLlamaServer({ apiKey: 'team-key' });
    await hearth().update('remote.url', server.url, vscode.ConfigurationTarget.Global);
    await hearth().update('engine', 'remote', vscode.ConfigurationTarget.Global);
    await waitUntil('both jobs to use the server', () => api.engines.completion.state.server === server.url && api.engines.assistant.state.server === server.url);
  });

  after(async () => {
    for (const key of touched) await hearth().update(key, undefined, vscode.ConfigurationTarget.Global);
    if (!server) return;
    await vscode.commands.executeCommand('hearth.setRemoteApiKey', server.url, '');
    await server.stop();
  });

  it('without the key the server answers 401 ("needs an API key"); with the key set by the command (SecretStorage) it answers', async () => {
    await vscode.commands.executeCommand('hearth.setRemoteApiKey', server.url, '');
    await assert.rejects(api.engines.assistant.chat([{ role: 'user', content: 'hi' }], { maxTokens: 4 }), /needs an API key/);
    assert.equal(api.engines.assistant.state.kind, 'error');
    assert.equal(await vscode.commands.executeCommand('hearth.setRemoteApiKey', server.url, 'team-key'), true);
    const answer = await api.engines.assistant.chat([{ role: 'user', content: 'hi' }], { maxTokens: 4 });
    assert.ok(answer.stats.generatedTokens > 0);
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('hearth')).includes('team-key'), 'the key is not in the settings');
  });

  it('inline completions come from the server\'s /infill, with no worker started', async () => {
    let shown: string | undefined;
    for (const opening of openings) {
      // A first line no other suite wrote: the completion cache (keyed by the text) must not answer for the server.
      const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content: `Remote story ${Date.now()}.\n${opening}` });
      const editor = await vscode.window.showTextDocument(document);
      const end = document.lineAt(1).range.end;
      editor.selection = new vscode.Selection(end, end);
      const items = await api.completion.provider.provideInlineCompletionItems(document, end, { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined }, new vscode.CancellationTokenSource().token);
      const list = Array.isArray(items) ? items : items?.items ?? [];
      const text = list[0]?.insertText;
      if (typeof text === 'string' && text.trim().length > 0) {
        shown = text;
        break;
      }
    }
    assert.ok(shown, 'no suggestion for any opening');
    const stats = await api.engines.completion.stats();
    assert.ok((stats?.requests.infill ?? 0) >= 1, `requests: ${JSON.stringify(stats?.requests)}`);
    assert.equal(stats?.model?.server, server.url);
    assert.equal(api.testing.jobs.workerFor('completion').workerPid, undefined, 'no embedded worker runs for a remote job');
  });

  it('chat streams from the server, and the status bar names the engine and the model', async () => {
    const answer = await api.chat.send('Tell me a story about a cat.');
    assert.equal(answer?.status, 'done', `chat ended as ${answer?.status}: ${answer?.error ?? ''}`);
    assert.ok((answer?.content.length ?? 0) > 0, 'an answer was written');
    const stats = await api.engines.assistant.stats();
    assert.equal(stats?.last?.type, 'chat');
    assert.equal(api.testing.jobs.workerFor('assistant').workerPid, undefined);
    const model = (await api.engines.assistant.modelInfo()).name;
    const tooltip = api.testing.statusBar.tooltip;
    assert.match(tooltip, new RegExp(`Completions: ${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, (ready|generating…) \\(remote engine at ${server.url.replace(/[.]/g, '\\.')}\\)`));
    assert.match(tooltip, /Assistant: .* \(remote engine at http:\/\/127\.0\.0\.1:\d+\)/);
  });

  it('a selection action (Summarize) runs on the server, with no worker started', async () => {
    const count = async () => Object.values((await api.engines.assistant.stats())?.requests ?? {}).reduce((a, b) => a + b, 0);
    const before = await count();
    const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content: `Remote notes ${Date.now()}.\nThe cat sat on the mat. The dog ran in the park. They played together all day.\n` });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(1, 0, 1, document.lineAt(1).text.length);
    assert.equal(await vscode.commands.executeCommand('hearth.summarizeSelection'), 'shown');
    const result = api.actions.results().pop()!;
    assert.ok(result.done && /Summary/.test(result.text), result.text.slice(0, 200));
    assert.ok((await count()) > before, 'the server answered the action');
    assert.equal(document.getText().includes('The cat sat on the mat.'), true, 'the document is untouched');
    assert.equal(api.testing.jobs.workerFor('assistant').workerPid, undefined);
  });

  it('the Language Model API provider answers from the server (where VS Code supports it)', async function () {
    const lm = (vscode as unknown as { lm?: { registerLanguageModelChatProvider?: unknown } }).lm;
    if (typeof lm?.registerLanguageModelChatProvider !== 'function') this.skip();
    await hearth().update('chat.registerLanguageModel', true, vscode.ConfigurationTarget.Global);
    try {
      await waitUntil('the provider to register', () => api.chat.languageModelRegistered === true, 10_000);
      const models = await vscode.lm.selectChatModels({ vendor: 'hearth' });
      assert.equal(models.length, 1, 'the Hearth model is not listed');
      const before = (await api.engines.assistant.stats())?.requests.chat ?? 0;
      const response = await models[0].sendRequest([vscode.LanguageModelChatMessage.User('Tell me a story.')], {}, new vscode.CancellationTokenSource().token);
      let text = '';
      for await (const piece of response.text) text += piece;
      assert.ok(text.length > 0, 'an answer was streamed');
      assert.ok(((await api.engines.assistant.stats())?.requests.chat ?? 0) > before, 'the server answered');
      assert.equal(api.testing.jobs.workerFor('assistant').workerPid, undefined);
    } finally {
      await hearth().update('chat.registerLanguageModel', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('one job remote, the other embedded: hearth.remote.jobs', async () => {
    await hearth().update('remote.jobs', 'assistant', vscode.ConfigurationTarget.Global);
    await waitUntil('completions to be embedded again', () => api.engines.completion.state.server === undefined);
    assert.equal(api.testing.jobs.kind('completion'), 'embedded');
    assert.equal(api.testing.jobs.kind('assistant'), 'remote');
    assert.match(api.testing.statusBar.tooltip, /Completions: .*\(embedded engine\)/);
    await hearth().update('remote.jobs', undefined, vscode.ConfigurationTarget.Global);
  });

  it('plain http to another machine is warned about once, without connecting to it', async () => {
    await hearth().update('remote.url', 'http://192.0.2.10:8080', vscode.ConfigurationTarget.Global);
    await waitUntil('the warning', () => api.testing.insecure.shown.includes('http://192.0.2.10:8080'));
    await hearth().update('remote.url', server.url, vscode.ConfigurationTarget.Global);
    await waitUntil('the local server again', () => api.engines.assistant.state.server === server.url);
  });
});
