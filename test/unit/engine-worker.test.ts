/**
 * The engine client against a real worker process running the real fixture models: no fakes here.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type EngineState } from '../../src/common/engine';
import { CancelledError, EngineError } from '../../src/common/errors';
import { fimChatModel, plainModel } from '../support/paths';
import { realEngine, waitFor } from '../support/realEngine';


async function expectCode(promise: Promise<unknown>, code: string): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EngineError, `expected EngineError, got ${error}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/** A prompt of roughly `n` tokens for these models' 512-token vocabulary. */
function longPrompt(words: number): string {
  const base = ['the', 'little', 'dog', 'ran', 'to', 'the', 'park', 'and', 'saw', 'a', 'big', 'red', 'ball', 'under', 'tree'];
  return Array.from({ length: words }, (_, i) => base[(i * 7) % base.length]).join(' ');
}

describe('engine: real worker with the plain fixture model', function () {
  this.timeout(60_000);
  const { engine } = realEngine({ modelPath: plainModel });
  after(() => engine.dispose());

  it('does not spawn a worker until the first request', () => {
    assert.equal(engine.workerPid, undefined);
    assert.equal(engine.state.kind, 'idle');
  });

  it('loads the model and reports what it is', async () => {
    const states: string[] = [];
    const sub = engine.onDidChangeState((s: EngineState) => states.push(s.kind));
    const info = await engine.modelInfo();
    sub.dispose();
    assert.equal(info.name, 'stories260K.gguf');
    assert.equal(info.architecture, 'llama');
    assert.equal(info.supportsInfill, false);
    assert.equal(info.hasChatTemplate, false);
    assert.equal(info.threads, 1);
    assert.ok(info.contextSize >= 2048);
    assert.deepEqual(states, ['loading', 'ready']);
    assert.ok(engine.workerPid! > 0);
  });

  it('streams a generation whose chunks add up to the result', async () => {
    const chunks: string[] = [];
    const result = await engine.complete('Once upon a time', { maxTokens: 24 }, { onChunk: (c) => chunks.push(c) });
    assert.ok(result.text.length > 10, result.text);
    assert.ok(chunks.length > 1);
    assert.equal(chunks.join(''), result.text);
    assert.equal(result.stats.generatedTokens, 24);
    assert.equal(result.stopReason, 'maxTokens');
  });

  it('keeps the space between the prompt and the first generated word', async () => {
    const result = await engine.complete('Once upon a time, there was a little girl named Lily. She', { maxTokens: 6 });
    assert.match(result.text, /^ \S/, JSON.stringify(result.text));
  });

  it('stops at a stop string and never streams past it', async () => {
    const first = await engine.complete('Once upon a time', { maxTokens: 40 });
    const word = first.text.trim().split(/\s+/)[3];
    let streamed = '';
    const result = await engine.complete('Once upon a time', { maxTokens: 40, stop: [word] }, { onChunk: (c) => (streamed += c) });
    assert.equal(result.stopReason, 'stop');
    assert.ok(!result.text.includes(word), result.text);
    assert.equal(streamed, result.text);
  });

  it('stops after maxLines lines', async () => {
    const free = await engine.complete('Once upon a time', { maxTokens: 300 });
    const firstBreak = free.text.indexOf('\n');
    assert.ok(firstBreak > 0, 'precondition: the model writes a line break within 300 tokens');
    const result = await engine.complete('Once upon a time', { maxTokens: 300, maxLines: 1 });
    assert.equal(result.stopReason, 'maxLines');
    assert.equal(result.text, free.text.slice(0, firstBreak));
  });

  it('reuses the KV cache: a repeated prompt plus a few words evaluates only the new tokens', async () => {
    const prompt = longPrompt(300);
    const cold = await engine.complete(prompt, { maxTokens: 4 }, { workload: 'chat' });
    assert.ok(cold.stats.evaluatedTokens > 250, `cold evaluated ${cold.stats.evaluatedTokens}`);
    const warm = await engine.complete(`${prompt} and the cat`, { maxTokens: 4 }, { workload: 'chat' });
    assert.ok(warm.stats.evaluatedTokens <= 10, `warm evaluated ${warm.stats.evaluatedTokens}`);
    assert.ok(warm.stats.reusedTokens >= cold.stats.promptTokens - 2);
    const same = await engine.complete(`${prompt} and the cat`, { maxTokens: 4 }, { workload: 'chat' });
    assert.ok(same.stats.evaluatedTokens <= 2, `repeat evaluated ${same.stats.evaluatedTokens}`);
  });

  it('runs a chat turn through a fallback wrapper when the model has no template', async () => {
    const chunks: string[] = [];
    const result = await engine.chat([{ role: 'system', content: 'You tell stories.' }, { role: 'user', content: 'Tell me about a dog.' }], { maxTokens: 20 }, { onChunk: (c) => chunks.push(c) });
    assert.ok(result.text.length > 0);
    assert.equal(chunks.join(''), result.text);
    assert.ok(!result.text.includes('[INST]'), result.text);
    const second = await engine.chat([
      { role: 'system', content: 'You tell stories.' }, { role: 'user', content: 'Tell me about a dog.' },
      { role: 'assistant', content: result.text }, { role: 'user', content: 'And a cat?' },
    ], { maxTokens: 8 });
    assert.ok(second.stats.reusedTokens > 10, `second turn reused ${second.stats.reusedTokens}`);
  });

  it('rejects infill with NO_INFILL on a model without FIM tokens', async () => {
    await expectCode(engine.infill('def f(', ')', { maxTokens: 4 }), 'NO_INFILL');
  });

  it('counts tokens', async () => {
    const n = await engine.countTokens('Once upon a time there was a dog');
    assert.ok(n >= 5 && n <= 20, String(n));
  });

  it('cancels during generation within 100 ms', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const promise = engine.complete('Once upon a time', { maxTokens: 100_000 }, {
      signal: controller.signal,
      onChunk: () => {
        if (!abortedAt) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    await assert.rejects(promise, (e: unknown) => e instanceof CancelledError && e.reason === 'cancel');
    const latency = performance.now() - abortedAt;
    assert.ok(latency < 100, `cancel took ${latency.toFixed(1)} ms`);
  });

  it('cancels during a long prompt evaluation within 100 ms, early and deep into the prompt', async () => {
    const starts = ['dog', 'cat', 'bird', 'fish'];
    for (const [i, after] of [15, 150, 300, 450].entries()) {
      const controller = new AbortController();
      // A different first word each time, so nothing is reused from the previous attempt.
      const promise = engine.complete(`${starts[i]} ${longPrompt(1500)}`, { maxTokens: 8 }, { signal: controller.signal, workload: 'chat' });
      await new Promise((r) => setTimeout(r, after));
      const abortedAt = performance.now();
      controller.abort();
      await assert.rejects(promise, CancelledError, `the prompt finished before the abort at ${after} ms`);
      const latency = performance.now() - abortedAt;
      assert.ok(latency < 100, `cancel ${after} ms in took ${latency.toFixed(1)} ms`);
    }
    // The engine is still usable afterwards.
    const after = await engine.complete('Once upon a time', { maxTokens: 4 });
    assert.equal(after.stats.generatedTokens, 4);
  });

  it('a completion cancelled mid-prompt (the user typed on) keeps evaluating its stable part for the next keystroke', async () => {
    await engine.modelInfo();
    const prompt = `hill ${longPrompt(400)}`;
    const before = (await engine.stats())?.backgroundEvaluatedTokens ?? 0;
    const controller = new AbortController();
    const pending = engine.complete(prompt, { maxTokens: 8 }, { signal: controller.signal, workload: 'completion' });
    await new Promise((r) => setTimeout(r, 15));
    controller.abort();
    await assert.rejects(pending, CancelledError, 'the prompt finished before the abort');
    let background = before;
    for (const until = Date.now() + 20_000; background === before && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 20));
      background = (await engine.stats())?.backgroundEvaluatedTokens ?? 0;
    }
    assert.ok(background > before, 'nothing was evaluated in the background after the cancel');
    const next = await engine.complete(`${prompt} red`, { maxTokens: 2 }, { workload: 'completion' });
    assert.ok(next.stats.reusedTokens >= next.stats.promptTokens - 30, `reused ${next.stats.reusedTokens} of ${next.stats.promptTokens}`);
  });

  it('a chat answer pauses while a completion runs in the same worker (completions first)', async () => {
    const chatChunks: number[] = [];
    const chat = engine.complete('Once upon a time', { maxTokens: 600 }, { workload: 'chat', onChunk: () => chatChunks.push(performance.now()) });
    await waitFor('the chat answer to stream', () => chatChunks.length >= 5, 10_000);
    const c0 = performance.now();
    const completion = await engine.complete(`ant ${longPrompt(200)}`, { maxTokens: 40 }, { workload: 'completion' });
    const c1 = performance.now();
    assert.equal(completion.stats.generatedTokens, 40);
    // Chunks already on their way when the completion started may still arrive; the chat then stays quiet.
    const during = chatChunks.filter((t) => t > c0 + 30 && t < c1).length;
    assert.ok(during <= 2, `${during} chat chunks arrived during the ${(c1 - c0).toFixed(0)} ms completion`);
    const answer = await chat;
    assert.ok(answer.stats.generatedTokens > 100, 'the chat answer went on afterwards');
    assert.ok(chatChunks.some((t) => t >= c1), 'chat chunks arrive again after the completion');
  });

  it('newest completion wins: an older in-flight completion is superseded', async () => {
    const older = engine.complete('Once upon a time', { maxTokens: 100_000 });
    await new Promise((r) => setTimeout(r, 30));
    const newer = engine.complete('The dog', { maxTokens: 8 });
    await assert.rejects(older, (e: unknown) => e instanceof CancelledError && e.reason === 'superseded');
    const result = await newer;
    assert.equal(result.stats.generatedTokens, 8);
  });

  it('a chat request is not superseded by completions and runs in order', async () => {
    const chat = engine.chat([{ role: 'user', content: 'Hello' }], { maxTokens: 30 });
    const completion = engine.complete('The cat', { maxTokens: 4 });
    const [c, p] = await Promise.all([chat, completion]);
    assert.ok(c.stats.generatedTokens > 0);
    assert.equal(p.stats.generatedTokens, 4);
  });

  it('fails pending requests at once when the worker is killed, then respawns on the next request', async () => {
    const oldPid = engine.workerPid;
    const pending = engine.complete('Once upon a time', { maxTokens: 100_000 }, { workload: 'chat' });
    await new Promise((r) => setTimeout(r, 50));
    const killedAt = performance.now();
    engine.killWorkerForTesting('SIGKILL');
    await expectCode(pending, 'WORKER_CRASHED');
    assert.ok(performance.now() - killedAt < 1000);
    assert.equal(engine.state.kind, 'error');
    const result = await engine.complete('Once upon a time', { maxTokens: 4 });
    assert.equal(result.stats.generatedTokens, 4);
    assert.notEqual(engine.workerPid, oldPid);
    assert.equal(engine.state.kind, 'ready');
  });

  it('reports statistics from the worker', async () => {
    const stats = await engine.stats();
    assert.ok(stats);
    assert.ok((stats.requests.complete ?? 0) >= 1);
    assert.ok(stats.peakRssBytes > 10 * 1024 * 1024);
    assert.equal(stats.model?.name, 'stories260K.gguf');
  });

  it('unloads when restarted and loads again on demand', async () => {
    await engine.restart();
    assert.equal(engine.workerPid, undefined);
    assert.equal(engine.state.kind, 'idle');
    const result = await engine.complete('Once', { maxTokens: 2 });
    assert.equal(result.stats.generatedTokens, 2);
  });
});

describe('engine: the FIM + chat-template fixture', function () {
  this.timeout(60_000);
  const { engine } = realEngine({ modelPath: fimChatModel });
  after(() => engine.dispose());

  it('detects FIM tokens and the chat template', async () => {
    const info = await engine.modelInfo();
    assert.equal(info.supportsInfill, true);
    assert.equal(info.hasChatTemplate, true);
  });

  it('runs fill-in-the-middle in both layouts, reusing the cache while typing at the cursor (SPM)', async () => {
    const suffix = longPrompt(60);
    const prefix = longPrompt(120);
    const first = await engine.infill(prefix, suffix, { maxTokens: 6 }, { layout: 'spm' });
    assert.equal(first.stats.generatedTokens, 6);
    assert.ok(first.stats.evaluatedTokens > 150);
    const typed = await engine.infill(`${prefix} dog`, suffix, { maxTokens: 6 }, { layout: 'spm' });
    assert.ok(typed.stats.evaluatedTokens <= 6, `evaluated ${typed.stats.evaluatedTokens}`);
    const psm = await engine.infill(prefix, suffix, { maxTokens: 4 }, { layout: 'psm' });
    assert.ok(psm.stats.generatedTokens > 0);
    assert.ok(!psm.text.includes('<fim_'), psm.text);
  });

  it('an infill prefill warms the cache so the infill that follows evaluates about one token', async () => {
    const prompt = { prefix: longPrompt(90), suffix: longPrompt(40), layout: 'spm' as const };
    const warmed = await engine.prefill(prompt, 'completion');
    assert.ok(warmed.evaluatedTokens > 100, `prefill evaluated ${warmed.evaluatedTokens}`);
    assert.equal(warmed.generatedTokens, 0);
    const result = await engine.infill(prompt.prefix, prompt.suffix, { maxTokens: 4 }, { layout: 'spm' });
    assert.ok(result.stats.evaluatedTokens <= 2, `evaluated ${result.stats.evaluatedTokens}`);
  });

  it('chats through the Jinja template', async () => {
    const result = await engine.chat([{ role: 'user', content: 'Tell me a story' }], { maxTokens: 16 });
    assert.ok(result.stats.promptTokens > 5);
    assert.ok(!result.text.includes('### '), result.text);
  });
});

describe('engine: bad model files give clear errors and keep the engine usable', function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bad-'));
  const files = {
    missing: path.join(dir, 'missing.gguf'),
    empty: path.join(dir, 'empty.gguf'),
    notGguf: path.join(dir, 'notes.gguf'),
    truncated: path.join(dir, 'truncated.gguf'),
    directory: path.join(dir, 'folder.gguf'),
  };
  before(() => {
    fs.writeFileSync(files.empty, '');
    fs.writeFileSync(files.notGguf, 'This is a text file, not a model.\n'.repeat(100));
    const bytes = fs.readFileSync(plainModel);
    fs.writeFileSync(files.truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    fs.mkdirSync(files.directory);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[keyof typeof files, string, RegExp]> = [
    ['missing', 'MODEL_NOT_FOUND', /does not exist/],
    ['empty', 'MODEL_EMPTY', /empty/],
    ['notGguf', 'MODEL_NOT_GGUF', /not a GGUF/],
    ['truncated', 'MODEL_TRUNCATED', /incomplete/],
    ['directory', 'MODEL_IS_DIRECTORY', /folder/],
  ];
  for (const [which, code, message] of cases) {
    it(`${which}: ${code}`, async () => {
      const { engine, config } = realEngine({ modelPath: files[which], contextSize: 512 });
      try {
        const error = await expectCode(engine.complete('Once', { maxTokens: 2 }), code);
        assert.match(error.message, message);
        assert.match(error.message, /Select Model File|Download it again/);
        assert.equal(engine.state.kind, 'error');
        // The same broken file answers at once, without spawning a worker per request.
        const failedPid = engine.workerPid; // the failed load's worker, perhaps still exiting
        const t0 = performance.now();
        await expectCode(engine.complete('Once', { maxTokens: 2 }), code);
        // 250 ms: under a CPU hog a stat and a throw took 54; starting a worker takes seconds there. The pid check
        // below is the exact one.
        assert.ok(performance.now() - t0 < 250, `the remembered failure took ${(performance.now() - t0).toFixed(0)} ms`);
        assert.ok(engine.workerPid === undefined || engine.workerPid === failedPid, 'a worker was spawned for a file known to be broken');
        // Pointing the engine at a good file recovers.
        config.modelPath = plainModel;
        engine.configurationChanged();
        const ok = await engine.complete('Once', { maxTokens: 2 });
        assert.equal(ok.stats.generatedTokens, 2);
      } finally {
        engine.dispose();
      }
    });
  }

  it('no model configured: NO_MODEL without spawning anything', async () => {
    const { engine } = realEngine({ modelPath: undefined });
    assert.equal(engine.state.kind, 'noModel');
    await expectCode(engine.complete('x', { maxTokens: 1 }), 'NO_MODEL');
    assert.equal(engine.workerPid, undefined);
    engine.dispose();
  });
});
