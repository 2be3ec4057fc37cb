/**
 * A model per job in the real extension host: two fixture models serving the two jobs at once (and the
 * reverse), a model found on disk chosen without a reload, a catalog download from a local server that ends with
 * the model in use, and the walkthrough.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension';
import { CATALOG, type CatalogEntry } from '../../src/models/catalog';
import { fimChatModel, plainModel } from '../support/paths';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('models: a model per job (extension host, real models)', function () {
  this.timeout(180_000);
  let api: HearthApi;
  const hearth = () => vscode.workspace.getConfiguration('hearth');
  const touched = ['models.completion', 'models.assistant', 'models.folders', 'models.downloadBaseUrl'];
  const setModels = async (completion: string, assistant: string) => {
    await hearth().update('models.completion', completion, vscode.ConfigurationTarget.Global);
    await hearth().update('models.assistant', assistant, vscode.ConfigurationTarget.Global);
    // The engines read settings when asked; wait until both report the new models as configured.
    await waitUntil('the new models to be configured', () => api.engines.completion.state.modelName === path.basename(completion) && api.engines.assistant.state.modelName === path.basename(assistant));
  };

  before(async () => {
    api = await vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth')!.activate();
  });

  after(async () => {
    for (const key of touched) await hearth().update(key, undefined, vscode.ConfigurationTarget.Global);
    api.models.testing.setCatalog(CATALOG);
  });

  for (const [completionModel, assistantModel] of [[fimChatModel, plainModel], [plainModel, fimChatModel]]) {
    it(`completion on ${path.basename(completionModel)} and chat on ${path.basename(assistantModel)} at once: stats say which model served each`, async () => {
      await setModels(completionModel, assistantModel);
      const completion = await api.engines.completion.complete('Once upon a time', { maxTokens: 4 });
      const answer = await api.chat.send('Tell me a story.');
      assert.equal(answer?.status, 'done', `chat ended as ${answer?.status}: ${answer?.error ?? ''}`);
      assert.equal(completion.model, path.basename(completionModel));
      assert.equal((await api.engines.completion.stats())?.last?.model, path.basename(completionModel));
      assert.equal((await api.engines.assistant.stats())?.last?.model, path.basename(assistantModel));
      assert.equal((await api.engines.assistant.stats())?.last?.type, 'chat');
      const jobs = api.testing.jobs;
      assert.notEqual(jobs.workerFor('completion').workerPid, jobs.workerFor('assistant').workerPid, 'each model has its own worker');
      assert.ok(jobs.workerFor('completion').workerPid && jobs.workerFor('assistant').workerPid, 'both loaded at once');
      assert.match(api.testing.statusBar.tooltip, new RegExp(`Completions: ${path.basename(completionModel).replace(/\./g, '\\.')}`));
    });
  }

  it('a model found in a folder the user lists is offered for the jobs it suits, and choosing it switches without a reload', async () => {
    await setModels(fimChatModel, fimChatModel);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-models-'));
    const local = path.join(folder, 'my-story-model.gguf');
    fs.copyFileSync(fimChatModel, local);
    await hearth().update('models.folders', [folder], vscode.ConfigurationTarget.Global);
    const choices = await api.models.choices('assistant');
    const found = choices.find((c) => c.action.kind === 'file' && fs.realpathSync(c.action.model.path) === fs.realpathSync(local));
    assert.ok(found, `the listed folder's model is not offered: ${choices.map((c) => c.label).join(', ')}`);
    assert.equal(found.section, 'Already on this machine');
    assert.match(found.description, /on disk/);
    const oldPid = api.testing.jobs.workerFor('completion').workerPid;
    await api.models.use('assistant', found);
    assert.equal(hearth().get('models.assistant'), found.action.kind === 'file' ? found.action.model.path : '');
    const info = await api.engines.assistant.modelInfo();
    assert.equal(fs.realpathSync(info.path), fs.realpathSync(local));
    if (oldPid) assert.equal(api.testing.jobs.workerFor('completion').workerPid, oldPid, 'the completion model was not reloaded');
  });

  it('a catalog model downloads from the (local) hub with progress, its hash is pinned, and it is then in use', async () => {
    const served: string[] = [];
    const body = fs.readFileSync(plainModel);
    const server = http.createServer((req, res) => {
      served.push(req.url ?? '');
      if (req.url !== '/hearth-test/stories/resolve/main/stories-download.gguf') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      await hearth().update('models.downloadBaseUrl', `http://127.0.0.1:${port}`, vscode.ConfigurationTarget.Global);
      const entry: CatalogEntry = {
        id: 'hearth-test-stories', jobs: ['assistant'], name: 'Test Stories', publisher: 'test', repo: 'hearth-test/stories', file: 'stories-download.gguf',
        sizeBytes: body.length, sha256: null, hashSource: 'trust-on-first-use', license: 'MIT', gated: false, parameters: '260K', quantization: 'F32',
        contextLength: 512, fim: false, chatTemplate: true, quality: 1, why: 'a fixture served by the test',
      };
      api.models.testing.setCatalog([entry]);
      const choice = (await api.models.choices('assistant')).find((c) => c.action.kind === 'catalog' && c.action.entry.id === entry.id);
      assert.ok(choice && choice.action.kind === 'catalog');
      assert.equal(choice.action.onDisk, false);
      assert.match(choice.description, /download/);
      const value = await api.models.use('assistant', choice);
      assert.equal(value, entry.id);
      assert.ok(served.includes('/hearth-test/stories/resolve/main/stories-download.gguf'));
      assert.equal(hearth().get('models.assistant'), entry.id);
      const info = await api.engines.assistant.modelInfo();
      assert.equal(info.name, 'stories-download.gguf');
      const again = (await api.models.choices('assistant')).find((c) => c.action.kind === 'catalog' && c.action.entry.id === entry.id);
      assert.ok(again && again.action.kind === 'catalog' && again.action.onDisk, 'now on disk');
      assert.match(again.detail, /pinned on first download/);
    } finally {
      server.close();
    }
  });

  // Its steps' checkmarks are asserted in test/e2e/walkthrough.e2e.test.ts: no API reads step state here, and a
  // command this host runs itself never reaches the workbench's onCommand completion events.
  it('the walkthrough opens', async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'hearth-dev.hearth#hearth.welcome', false);
    await waitUntil('the walkthrough tab', () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => /welcome|walkthrough|get started/i.test(t.label))), 15_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
