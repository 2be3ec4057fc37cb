/** With `hearth.gpu: auto`, the worker's log says which device llama.cpp runs on (and why the CPU, when it does). */
import * as assert from 'node:assert/strict';
import { defaultEngineConfig } from '../../src/engine/config';
import { WorkerEngine } from '../../src/engine/workerEngine';
import { plainModel, workerPath } from '../support/paths';

describe('engine: GPU choice in the log', function () {
  this.timeout(60_000);

  it('logs the device after a load', async () => {
    const lines: string[] = [];
    const record = (m: string) => lines.push(m);
    const log = { error: record, warn: record, info: record, debug: () => {} };
    const config = { ...defaultEngineConfig, modelPath: plainModel, threads: 1, contextSize: 512, idleUnloadMinutes: 0, gpu: 'auto' as const };
    const engine = new WorkerEngine({ workerPath, config: () => config, log });
    try {
      const info = await engine.modelInfo();
      const line = lines.find((l) => /llama\.cpp runs on the (GPU|CPU)/.test(l));
      assert.ok(line, `no device line in:\n${lines.join('\n')}`);
      // The line agrees with what was loaded: a GPU by name, or the CPU with a reason.
      if (info.gpu) assert.match(line, new RegExp(`GPU \\(${info.gpu}\\)`));
      else assert.match(line, /CPU: /);
    } finally {
      await engine.dispose();
    }
  });
});
