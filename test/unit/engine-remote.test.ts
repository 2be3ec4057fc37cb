/**
 * The remote engine against a real llama.cpp llama-server (built from the llama.cpp inside node-llama-cpp by
 * bench/native/build.sh) serving the FIM + chat-template fixture on 127.0.0.1: streaming, /infill with the
 * server's prompt cache, the chat template, token counts, cancellation mid-stream, the server killed mid-stream
 * and restarted, a wrong API key, connection refused, an unknown model, and two engines ("two windows") whose
 * requests run in the server's two slots at once.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { CancelledError, EngineError, isCancelled } from '../../src/common/errors';
import type { Job } from '../../src/common/protocol';
import { defaultEngineConfig, type EngineConfig } from '../../src/engine/config';
import { JobEngines } from '../../src/engine/jobEngines';
import type { RemoteTarget } from '../../src/engine/remote/client';
import { RemoteEngine } from '../../src/engine/remote/remoteEngine';
import { freePort, startLlamaServer, type LlamaServer } from '../support/llamaServer';
import { fimChatModel, plainModel, workerPath } from '../support/paths';
import { quietLog, waitFor } from '../support/realEngine';

function remote(url: string, overrides: Partial<RemoteTarget> = {}, apiKey?: string): RemoteEngine {
  const target: RemoteTarget = { url, model: '', fim: 'auto', connectTimeoutMs: 5000, readTimeoutMs: 60_000, contextSize: 2048, ...overrides };
  return new RemoteEngine({ target: () => target, apiKey: async () => apiKey, log: quietLog });
}

async function post(server: LlamaServer, route: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await response.json()) as Record<string, unknown>;
}

/** Slots busy now, from llama-server's /slots. */
async function busySlots(server: LlamaServer): Promise<number> {
  const slots = (await (await fetch(`${server.url}/slots`)).json()) as Array<{ is_processing?: boolean }>;
  return slots.filter((s) => s.is_processing).length;
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof EngineError, `not an EngineError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

const story = 'Once upon a time, there was a little girl named Lily. She';
const long = { maxTokens: 1500, temperature: 0.8, seed: 3 };

describe('remote engine against a real llama-server', function () {
  this.timeout(120_000);
  let server: LlamaServer;
  let engine: RemoteEngine;

  before(async () => {
    server = await startLlamaServer();
    engine = remote(server.url);
  });

  after(async () => {
    engine?.dispose();
    await server?.stop();
  });

  it('probes the server once: llama-server, its model, the context per slot, /infill', async () => {
    const info = await engine.modelInfo();
    assert.equal(info.architecture, 'llama-server');
    assert.equal(info.server, server.url);
    assert.equal(info.supportsInfill, true);
    assert.ok(info.contextSize >= 1024 && info.contextSize <= 4096, `context ${info.contextSize}`);
    assert.match(info.name, new RegExp(path.basename(fimChatModel, '.gguf')));
    assert.equal(engine.state.kind, 'ready');
    assert.equal(engine.state.server, server.url);
  });

  it('streams: chunks arrive before the answer is complete and add up to it', async () => {
    const chunks: Array<{ text: string; at: number }> = [];
    const result = await engine.complete(story, { maxTokens: 60 }, { workload: 'chat', onChunk: (text) => chunks.push({ text, at: performance.now() }) });
    const done = performance.now();
    assert.ok(chunks.length > 5, `${chunks.length} chunks`);
    assert.equal(chunks.map((c) => c.text).join(''), result.text);
    assert.ok(chunks[0].at < done - 1, 'the first chunk came before the end');
    assert.ok(result.stats.generatedTokens > 5 && result.stats.promptTokens > 5, JSON.stringify(result.stats));
    assert.equal(result.model, (await engine.modelInfo()).name);
  });

  it('fills in the middle through /infill, and the server\'s prompt cache serves a repeated prefix', async () => {
    const prefix = `${story} went to the park.\nShe saw a big dog. The dog`;
    const first = await engine.infill(prefix, '\nThe end.', { maxTokens: 16 });
    const again = await engine.infill(`${prefix} was`, '\nThe end.', { maxTokens: 16 });
    assert.ok(first.stats.promptTokens > 20, JSON.stringify(first.stats));
    assert.ok(again.stats.reusedTokens > 10, `the second prompt reused ${again.stats.reusedTokens} cached tokens`);
    assert.ok(again.stats.evaluatedTokens < again.stats.promptTokens / 2, JSON.stringify(again.stats));
    assert.equal((await engine.stats())?.requests.infill, 2);
    assert.equal((await engine.stats())?.last?.type, 'infill');
  });

  it('chats through the server\'s chat template: the prompt it evaluated is the template applied to the messages', async () => {
    const messages = [{ role: 'system' as const, content: 'You tell short stories.' }, { role: 'user' as const, content: 'Tell me about a cat.' }];
    const chunks: string[] = [];
    const result = await engine.chat(messages, { maxTokens: 24 }, { onChunk: (t) => chunks.push(t) });
    assert.equal(chunks.join(''), result.text);
    const templated = await post(server, '/apply-template', { messages });
    assert.equal(typeof templated.prompt, 'string');
    assert.notEqual(templated.prompt, messages.map((m) => m.content).join(''), 'the template adds its markers');
    const tokens = (await post(server, '/tokenize', { content: templated.prompt, add_special: true, parse_special: true })).tokens as unknown[];
    assert.equal(result.stats.promptTokens, tokens.length, 'prompt tokens = the templated prompt\'s tokens');
  });

  it('counts tokens with the server\'s tokenizer', async () => {
    const text = 'The little dog ran to the big tree.';
    const expected = ((await post(server, '/tokenize', { content: text })).tokens as unknown[]).length;
    assert.equal(await engine.countTokens(text), expected);
  });

  it('cancel mid-stream: the request ends within 100 ms, the server stops that generation and keeps serving', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    let chunks = 0;
    const request = engine.complete(story, long, {
      workload: 'chat', signal: controller.signal, onChunk: () => {
        if (++chunks === 3) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    const error = await request.then(() => undefined, (e: unknown) => e);
    const tookMs = performance.now() - abortedAt;
    assert.ok(isCancelled(error), `not cancelled: ${String(error)}`);
    assert.ok((error as CancelledError).partial.length > 0, 'the partial text comes with the cancellation');
    assert.ok(tookMs < 100, `cancel took ${tookMs.toFixed(1)} ms`);
    // The closed connection stops the slot: no slot stays busy with the abandoned 1,500 tokens.
    const until = Date.now() + 10_000;
    while ((await busySlots(server)) > 0) {
      assert.ok(Date.now() < until, 'a slot kept generating after the cancel');
      await new Promise((r) => setTimeout(r, 20));
    }
    const next = await engine.complete(story, { maxTokens: 8 }, { workload: 'chat' });
    assert.ok(next.stats.generatedTokens > 0);
  });

  it('a newer completion supersedes the one still running (newest wins)', async () => {
    const older = engine.complete(story, long, { workload: 'completion' });
    await waitFor('the older request to be generating', () => engine.state.kind === 'generating');
    const newer = engine.infill(story, '', { maxTokens: 4 });
    await assert.rejects(older, (e: unknown) => e instanceof CancelledError && e.reason === 'superseded');
    assert.ok((await newer).stats.promptTokens > 0);
  });

  it('two engines (two windows) run at once in the server\'s two slots', async () => {
    const other = remote(server.url);
    try {
      let both = false;
      const watching = (async () => {
        while (!both) {
          if ((await busySlots(server)) === 2) both = true;
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const [a, b] = await Promise.all([
        engine.complete(story, { ...long, maxTokens: 400 }, { workload: 'chat' }),
        other.chat([{ role: 'user', content: 'Tell me a long story about a dog.' }], { maxTokens: 400, temperature: 0.8, seed: 5 }),
      ]);
      const stop = both;
      both = true;
      await watching;
      assert.ok(stop, 'both slots were never busy at the same time');
      assert.ok(a.text.length > 0 && b.text.length > 0);
    } finally {
      other.dispose();
    }
  });

  it('per job: completions on the server and the assistant in the embedded worker, at once', async () => {
    const config = (job: Job): EngineConfig => ({ ...defaultEngineConfig, threads: 1, contextSize: 1024, idleUnloadMinutes: 0, engine: job === 'completion' ? 'remote' : 'embedded', modelPath: plainModel });
    const jobs = new JobEngines({
      workerPath, config, log: quietLog,
      remote: () => ({ url: server.url, model: '', fim: 'auto', connectTimeoutMs: 5000, readTimeoutMs: 60_000, contextSize: 1024 }),
    });
    try {
      const [completion, answer] = await Promise.all([
        jobs.engine('completion').infill(story, '', { maxTokens: 8 }),
        jobs.engine('assistant').chat([{ role: 'user', content: 'Tell me a story.' }], { maxTokens: 8 }),
      ]);
      assert.equal(completion.model, (await engine.modelInfo()).name, 'the server answered the completion');
      assert.equal(answer.model, path.basename(plainModel), 'the worker answered the assistant');
      assert.equal(jobs.workerFor('completion').workerPid, undefined, 'no worker for the remote job');
      assert.ok(jobs.workerFor('assistant').workerPid, 'the assistant has its worker');
      assert.equal(jobs.shared(), false);
      assert.deepEqual(jobs.describe().map((d) => [d.job, d.engine, d.state.server]), [['completion', 'remote', server.url], ['assistant', 'embedded', undefined]]);
    } finally {
      await jobs.stop();
    }
  });

  it('an unknown model is named in the error, with the models the server has', async () => {
    const wrong = remote(server.url, { model: 'no-such-model' });
    try {
      await rejectsWith(wrong.chat([{ role: 'user', content: 'hi' }], { maxTokens: 4 }), 'REMOTE_MODEL', /does not serve the model "no-such-model"; it serves "/);
      assert.equal(wrong.state.kind, 'error');
    } finally {
      wrong.dispose();
    }
  });

  it('connection refused is REMOTE_UNREACHABLE and says so', async () => {
    const nobody = remote(`http://127.0.0.1:${await freePort()}`);
    try {
      await rejectsWith(nobody.complete('x', { maxTokens: 2 }), 'REMOTE_UNREACHABLE', /refused the connection/);
      assert.equal(nobody.state.kind, 'error');
    } finally {
      nobody.dispose();
    }
  });
});

describe('remote engine: a llama-server with an API key, and one that dies', function () {
  this.timeout(120_000);

  it('a wrong or missing API key is REMOTE_AUTH; the right one works', async () => {
    const server = await startLlamaServer({ apiKey: 'team-secret' });
    const wrong = remote(server.url, {}, 'not-the-key');
    const none = remote(server.url);
    const right = remote(server.url, {}, 'team-secret');
    try {
      await rejectsWith(wrong.chat([{ role: 'user', content: 'hi' }], { maxTokens: 4 }), 'REMOTE_AUTH', /refused Hearth's API key \(401/);
      await rejectsWith(none.chat([{ role: 'user', content: 'hi' }], { maxTokens: 4 }), 'REMOTE_AUTH', /needs an API key/);
      const ok = await right.chat([{ role: 'user', content: 'hi' }], { maxTokens: 4 });
      assert.ok(ok.stats.generatedTokens > 0);
    } finally {
      for (const e of [wrong, none, right]) e.dispose();
      await server.stop();
    }
  });

  it('the server killed mid-stream: a clear error, refused while down, and the next request after its restart works', async () => {
    const port = await freePort();
    let server = await startLlamaServer({ port });
    const engine = remote(server.url);
    try {
      await engine.modelInfo();
      let killing: Promise<void> | undefined;
      const request = engine.complete(story, long, {
        workload: 'chat', onChunk: () => {
          killing ??= server.kill();
        },
      });
      await rejectsWith(request, 'REMOTE_STREAM', /broke in the middle of the answer|cut off/);
      await killing;
      assert.equal(engine.state.kind, 'error');
      await rejectsWith(engine.complete(story, { maxTokens: 4 }), 'REMOTE_UNREACHABLE', /refused/);
      server = await startLlamaServer({ port });
      const after = await engine.complete(story, { maxTokens: 8 }, { workload: 'chat' });
      assert.ok(after.stats.generatedTokens > 0);
      assert.equal(engine.state.kind, 'ready');
    } finally {
      engine.dispose();
      await server.stop();
    }
  });
});
