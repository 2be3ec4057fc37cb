/** Idle unload, privacy (no network) and memory-fit checks, with real worker processes and models. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError } from '../../src/common/errors';
import { checkModelFile } from '../../src/worker/modelFile';
import { fimChatModel, plainModel, repoRoot } from '../support/paths';
import { realEngine, waitFor } from '../support/realEngine';


describe('engine lifecycle', function () {
  this.timeout(60_000);

  it('unloads after the idle time, freeing the worker, and respawns on the next request', async () => {
    const { engine } = realEngine({ modelPath: plainModel, threads: 1, contextSize: 512, idleUnloadMinutes: 0.01 });
    try {
      await engine.complete('Once', { maxTokens: 2 });
      const pid = engine.workerPid!;
      assert.ok(pid > 0);
      // Idle unload is due after 0.6 s; wait for it (a busy machine may take longer to exit the worker).
      await waitFor('the idle unload', () => engine.workerPid === undefined && engine.state.kind === 'idle');
      assert.equal(engine.workerPid, undefined);
      assert.equal(engine.state.kind, 'idle');
      assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the worker process still exists');
      const again = await engine.complete('Once', { maxTokens: 2 });
      assert.equal(again.stats.generatedTokens, 2);
      assert.notEqual(engine.workerPid, pid);
    } finally {
      engine.dispose();
    }
  });

  it('a request cancelled while the model is still loading settles at once; the load goes on for the next one', async () => {
    const { engine } = realEngine({ modelPath: plainModel, threads: 1, contextSize: 512, idleUnloadMinutes: 0 });
    try {
      const controller = new AbortController();
      const pending = engine.complete('Once', { maxTokens: 2 }, { signal: controller.signal });
      await waitFor('the load to start', () => engine.state.kind !== 'idle');
      assert.equal(engine.state.kind, 'loading');
      const t0 = performance.now();
      controller.abort();
      await assert.rejects(pending, (e: unknown) => e instanceof Error && e.name === 'CancelledError');
      assert.ok(performance.now() - t0 < 50);
      const next = await engine.complete('Once', { maxTokens: 2 });
      assert.equal(next.stats.generatedTokens, 2);
    } finally {
      engine.dispose();
    }
  });

  it('a request made right after Restart Engine runs on a new worker instead of the one shutting down', async () => {
    const { engine } = realEngine({ modelPath: plainModel, threads: 1, contextSize: 512, idleUnloadMinutes: 0 });
    try {
      await engine.complete('Once', { maxTokens: 2 });
      const oldPid = engine.workerPid;
      for (const delay of [0, 5]) {
        const restarting = engine.restart();
        if (delay) await new Promise((r) => setTimeout(r, delay));
        const result = await engine.complete('Once', { maxTokens: 2 });
        await restarting;
        assert.equal(result.stats.generatedTokens, 2);
        assert.notEqual(engine.workerPid, oldPid);
        assert.equal(engine.state.kind, 'ready');
      }
    } finally {
      engine.dispose();
    }
  });

  it('backs off when a loaded worker keeps crashing, and dispose during the wait starts nothing', async () => {
    const { engine } = realEngine({ modelPath: plainModel, threads: 1, contextSize: 512, idleUnloadMinutes: 0 });
    for (let i = 0; i < 2; i++) {
      await engine.complete('Once', { maxTokens: 2 });
      engine.killWorkerForTesting('SIGKILL');
      await waitFor('the crash to be noticed', () => engine.workerPid === undefined);
    }
    const t0 = performance.now();
    await engine.complete('Once', { maxTokens: 2 });
    assert.ok(performance.now() - t0 >= 900, `respawned after ${(performance.now() - t0).toFixed(0)} ms, without backoff`);
    engine.killWorkerForTesting('SIGKILL');
    await waitFor('the crash to be noticed', () => engine.workerPid === undefined);
    const waiting = engine.complete('Once', { maxTokens: 2 });
    await new Promise((r) => setTimeout(r, 200));
    engine.dispose();
    await assert.rejects(waiting);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(engine.workerPid, undefined, 'a worker was started after dispose');
  });

  it('makes no network access while loading, completing, infilling and chatting', async () => {
    const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-net-')), 'net.log');
    const saved = { NODE_OPTIONS: process.env.NODE_OPTIONS, HEARTH_NET_GUARD_LOG: process.env.HEARTH_NET_GUARD_LOG };
    process.env.NODE_OPTIONS = `--require ${path.join(repoRoot, 'test', 'support', 'netGuard.cjs')}`;
    process.env.HEARTH_NET_GUARD_LOG = logFile;
    const { engine } = realEngine({ modelPath: fimChatModel, threads: 'auto', contextSize: 512, idleUnloadMinutes: 0 });
    try {
      await engine.complete('Once', { maxTokens: 4 });
      await engine.infill('def f(', ')', { maxTokens: 4 });
      await engine.chat([{ role: 'user', content: 'Hi' }], { maxTokens: 4 });
      const pid = engine.workerPid!;
      assert.ok(pid > 0);
      // The guard really is loaded in the worker: its environment carries the preload.
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      assert.match(environ, /netGuard\.cjs/);
    } finally {
      engine.dispose();
      process.env.NODE_OPTIONS = saved.NODE_OPTIONS ?? '';
      if (saved.NODE_OPTIONS === undefined) delete process.env.NODE_OPTIONS;
      if (saved.HEARTH_NET_GUARD_LOG === undefined) delete process.env.HEARTH_NET_GUARD_LOG;
    }
    const attempts = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    assert.equal(attempts, '', `network attempts:\n${attempts}`);
    // The guard itself catches what it should: a process that does reach out is recorded.
    const probeLog = `${logFile}.probe`;
    execFileSync(process.execPath, ['-e', "fetch('http://127.0.0.1:9/').catch(() => {}); try { require('node:net').connect(9, '127.0.0.1').on('error', () => {}); } catch {}"], {
      env: { ...process.env, NODE_OPTIONS: `--require ${path.join(repoRoot, 'test', 'support', 'netGuard.cjs')}`, HEARTH_NET_GUARD_LOG: probeLog },
      stdio: 'ignore',
    });
    assert.match(fs.readFileSync(probeLog, 'utf8'), /fetch http:\/\/127\.0\.0\.1:9/);
  });

  it('refuses a model that does not fit in the available memory, with numbers and a fix', async () => {
    const { readGgufFileInfo } = await import('node-llama-cpp');
    await assert.rejects(
      checkModelFile(plainModel, 512, (p) => readGgufFileInfo(p), () => 16 * 1024 * 1024),
      (e: unknown) => e instanceof EngineError && e.code === 'MODEL_TOO_LARGE' && /needs about \d+ MiB/.test(e.message) && /smaller/.test(e.message),
    );
    const ok = await checkModelFile(plainModel, 512, (p) => readGgufFileInfo(p), () => 8 * 1024 ** 3);
    assert.equal(ok.architecture, 'llama');
    assert.equal(ok.trainedContextLength, 2048);
    // A context request beyond the trained length is estimated at what the runtime will allocate.
    const capped = await checkModelFile(plainModel, 50_000_000, (p) => readGgufFileInfo(p), () => 8 * 1024 ** 3);
    const atTrained = await checkModelFile(plainModel, 2048, (p) => readGgufFileInfo(p), () => 8 * 1024 ** 3);
    assert.equal(capped.estimatedMemoryBytes, atTrained.estimatedMemoryBytes);
    assert.ok(atTrained.estimatedMemoryBytes > ok.estimatedMemoryBytes);
  });
});
