/** The engine inside a real extension host, with the real fixture model. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension';
import type { GenerationResult } from '../../src/common/protocol';
import { EngineError } from '../../src/common/errors';

async function hearth(): Promise<HearthApi> {
  return vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth')!.activate();
}

describe('engine in the extension host', function () {
  this.timeout(60_000);

  it('"Hearth: Test the Model" generates real text with the fixture model', async () => {
    const api = await hearth();
    const result = await vscode.commands.executeCommand<GenerationResult | undefined>('hearth.testModel');
    assert.ok(result, 'no result: see the Hearth log');
    assert.ok(result.stats.generatedTokens > 0);
    assert.ok(result.text.trim().length > 0);
    assert.ok(api.testing.jobs.workerFor('assistant').workerPid! > 0);
    assert.equal(api.engines.assistant.loadedModel?.name, 'stories260K.gguf');
  });

  it('the status bar walks idle → loading → ready → generating → ready', async () => {
    const api = await hearth();
    await api.testing.jobs.workerFor('assistant').restart();
    assert.equal(api.engines.assistant.state.kind, 'idle');
    assert.match(api.testing.statusBar.text, /circle-outline/);
    const seen: Array<[string, string]> = [];
    const sub = api.engines.assistant.onDidChangeState((s) => seen.push([s.kind, api.testing.statusBar.text]));
    try {
      await api.engines.assistant.complete('Once upon a time', { maxTokens: 8 });
    } finally {
      sub.dispose();
    }
    assert.deepEqual(seen.map(([k]) => k), ['loading', 'ready', 'generating', 'ready']);
    assert.match(seen[0][1], /loading.*stories260K/);
    assert.match(seen[2][1], /sync~spin/);
    assert.match(seen[3][1], /check/);
  });

  it('a worker crash is reported, shown in the status bar, and recovered on the next request', async () => {
    const api = await hearth();
    await api.engines.assistant.modelInfo();
    const before = api.testing.jobs.workerFor('assistant').workerPid;
    const pending = api.engines.assistant.complete('Once upon a time', { maxTokens: 100_000 }, { workload: 'chat' });
    await new Promise((r) => setTimeout(r, 50));
    api.testing.jobs.workerFor('assistant').killWorkerForTesting('SIGKILL');
    await assert.rejects(pending, (e: unknown) => e instanceof Error && (e as EngineError).code === 'WORKER_CRASHED');
    assert.equal(api.engines.assistant.state.kind, 'error');
    assert.match(api.testing.statusBar.text, /error/);
    // The user sees it through the shared reporter (the test command path).
    api.testing.errors.report(await pending.catch((e) => e));
    assert.match(api.testing.errors.shown.at(-1)!.message, /stopped unexpectedly/);
    assert.ok(api.testing.errors.shown.at(-1)!.actions.includes('Restart Engine'));
    const result = await api.engines.assistant.complete('Once upon a time', { maxTokens: 4 });
    assert.equal(result.stats.generatedTokens, 4);
    assert.notEqual(api.testing.jobs.workerFor('assistant').workerPid, before);
    assert.equal(api.engines.assistant.state.kind, 'ready');
  });

  it('a missing model file gives an actionable message and the engine recovers when fixed', async () => {
    const api = await hearth();
    const config = vscode.workspace.getConfiguration('hearth');
    const good = config.get<string>('modelPath')!;
    await config.update('modelPath', '/nonexistent/model.gguf', vscode.ConfigurationTarget.Global);
    try {
      await assert.rejects(api.engines.assistant.complete('Once', { maxTokens: 2 }), (e: unknown) => (e as EngineError).code === 'MODEL_NOT_FOUND');
      assert.equal(api.engines.assistant.state.kind, 'error');
      assert.match(api.testing.statusBar.text, /error/);
    } finally {
      await config.update('modelPath', good, vscode.ConfigurationTarget.Global);
    }
    const ok = await api.engines.assistant.complete('Once', { maxTokens: 2 });
    assert.equal(ok.stats.generatedTokens, 2);
  });
});
