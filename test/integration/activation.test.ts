import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension';

describe('activation', () => {
  it('is installed, activates, and does not start the worker or load a model', async () => {
    const ext = vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth');
    assert.ok(ext, 'hearth-dev.hearth is not installed');
    const api = await ext.activate();
    for (const job of ['completion', 'assistant'] as const) {
      assert.equal(api.testing.jobs.workerFor(job).workerPid, undefined, `activation started the ${job} worker`);
      assert.equal(api.engines[job].loadedModel, undefined);
      assert.equal(await api.engines[job].stats(), undefined);
      assert.equal(api.engines[job].state.kind, 'idle');
    }
    assert.match(api.testing.statusBar.text, /Hearth/);
    assert.ok(api.testing.activationMs < 250, `activation took ${api.testing.activationMs} ms`);
    console.log(`      activate() took ${api.testing.activationMs.toFixed(1)} ms`);
    // Neither node-llama-cpp nor llama.cpp's native code is mapped into the extension host process.
    if (process.platform === 'linux') {
      const maps = fs.readFileSync('/proc/self/maps', 'utf8');
      assert.ok(!/node-llama-cpp|libllama|libggml/.test(maps), 'llama.cpp is loaded in the extension host');
    }
  });

  it('contributes its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['hearth.selectModel', 'hearth.showLog', 'hearth.restartEngine', 'hearth.testModel']) {
      assert.ok(commands.includes(id), `${id} is missing`);
    }
  });
});
