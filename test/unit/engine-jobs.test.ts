/** A model per job, with real workers: which model served each request, sharing, isolation, and swapping. */
import * as assert from 'node:assert/strict';
import { defaultEngineConfig, type EngineConfig } from '../../src/engine/config';
import { JobEngines } from '../../src/engine/jobEngines';
import type { Job } from '../../src/common/protocol';
import { fimChatModel, plainModel, workerPath } from '../support/paths';
import { quietLog, waitFor } from '../support/realEngine';

function jobEngines(models: Record<Job, string | undefined>, freeMemory?: () => number): { jobs: JobEngines; models: Record<Job, string | undefined>; logged: string[] } {
  const logged: string[] = [];
  const config = (job: Job): EngineConfig => ({ ...defaultEngineConfig, threads: 1, contextSize: 512, idleUnloadMinutes: 0, modelPath: models[job] });
  const log = { ...quietLog, info: (m: string) => logged.push(m) };
  return { jobs: new JobEngines({ workerPath, config, log, freeMemory }), models, logged };
}

describe('engine: a model per job', function () {
  this.timeout(60_000);

  it('two jobs on two models at once: each request is served by its job\'s model, in its own worker', async () => {
    const { jobs } = jobEngines({ completion: fimChatModel, assistant: plainModel });
    try {
      assert.equal(jobs.shared(), false);
      const infill = await jobs.engine('completion').infill('Once upon a ', ' day.', { maxTokens: 4 });
      const chat = await jobs.engine('assistant').chat([{ role: 'user', content: 'Hi' }], { maxTokens: 4 });
      assert.equal(infill.model, 'stories260K-fim-chat.gguf');
      assert.equal(chat.model, 'stories260K.gguf');
      const completionPid = jobs.workerFor('completion').workerPid;
      const assistantPid = jobs.workerFor('assistant').workerPid;
      assert.ok(completionPid && assistantPid && completionPid !== assistantPid, 'one worker per model');
      assert.equal((await jobs.engine('completion').stats())?.last?.model, 'stories260K-fim-chat.gguf');
      assert.equal((await jobs.engine('assistant').stats())?.last?.model, 'stories260K.gguf');
      assert.equal(jobs.engine('completion').loadedModel?.name, 'stories260K-fim-chat.gguf');
      assert.equal(jobs.engine('assistant').loadedModel?.name, 'stories260K.gguf');
    } finally {
      await jobs.stop();
    }
  });

  it('with a model each, the assistant\'s answer pauses while a completion runs in the other worker', async () => {
    const { jobs } = jobEngines({ completion: fimChatModel, assistant: plainModel });
    try {
      await jobs.engine('completion').complete('Once', { maxTokens: 2 });
      const chatChunks: number[] = [];
      const chat = jobs.engine('assistant').complete('Once upon a time', { maxTokens: 250 }, { workload: 'chat', onChunk: () => chatChunks.push(performance.now()) });
      await waitFor('the chat answer to stream', () => chatChunks.length >= 5, 20_000);
      const c0 = performance.now();
      const completion = await jobs.engine('completion').infill('Once upon a time there was a little dog who ', ' and they were happy.', { maxTokens: 60 });
      const c1 = performance.now();
      assert.equal(completion.model, 'stories260K-fim-chat.gguf');
      // The pause is a message to the other process: chunks already on their way may still arrive.
      const during = chatChunks.filter((t) => t > c0 + 50 && t < c1).length;
      assert.ok(during <= 3, `${during} chat chunks arrived during the ${(c1 - c0).toFixed(0)} ms completion`);
      const answer = await chat;
      assert.equal(answer.model, 'stories260K.gguf');
      assert.ok(chatChunks.some((t) => t >= c1), 'the chat answer goes on after the completion');
    } finally {
      await jobs.stop();
    }
  });

  it('the same model for both jobs loads once and serves both', async () => {
    const { jobs } = jobEngines({ completion: fimChatModel, assistant: fimChatModel });
    try {
      assert.equal(jobs.shared(), true);
      const a = await jobs.engine('completion').complete('Once', { maxTokens: 2 });
      const b = await jobs.engine('assistant').chat([{ role: 'user', content: 'Hi' }], { maxTokens: 2 });
      assert.equal(a.model, b.model);
      assert.equal(jobs.workerFor('assistant'), jobs.workerFor('completion'));
      assert.equal(jobs.engine('assistant').state.kind, 'ready');
    } finally {
      await jobs.stop();
    }
  });

  it('a crash in one job\'s worker leaves the other job answering, and the crashed one recovers', async () => {
    const { jobs } = jobEngines({ completion: fimChatModel, assistant: plainModel });
    try {
      await jobs.engine('completion').complete('Once', { maxTokens: 2 });
      await jobs.engine('assistant').complete('Once', { maxTokens: 2 });
      const assistantPid = jobs.workerFor('assistant').workerPid;
      jobs.workerFor('completion').killWorkerForTesting('SIGKILL');
      await waitFor('the crash to be noticed', () => jobs.workerFor('completion').workerPid === undefined);
      assert.equal(jobs.engine('completion').state.kind, 'error');
      const other = await jobs.engine('assistant').complete('Once', { maxTokens: 2 });
      assert.equal(other.model, 'stories260K.gguf');
      assert.equal(jobs.workerFor('assistant').workerPid, assistantPid, 'the assistant worker was not touched');
      const again = await jobs.engine('completion').complete('Once', { maxTokens: 2 });
      assert.equal(again.model, 'stories260K-fim-chat.gguf');
    } finally {
      await jobs.stop();
    }
  });

  it('a broken file for one job gives that job a clear error and leaves the other working', async () => {
    const { jobs } = jobEngines({ completion: '/nonexistent/coder.gguf', assistant: plainModel });
    try {
      await assert.rejects(jobs.engine('completion').complete('Once', { maxTokens: 2 }), (e: unknown) => (e as { code?: string }).code === 'MODEL_NOT_FOUND');
      const ok = await jobs.engine('assistant').complete('Once', { maxTokens: 2 });
      assert.equal(ok.model, 'stories260K.gguf');
    } finally {
      await jobs.stop();
    }
  });

  it('when both do not fit in memory, loading one job\'s model unloads the other first and says why', async () => {
    const { jobs, logged } = jobEngines({ completion: fimChatModel, assistant: plainModel }, () => 0);
    try {
      await jobs.engine('completion').complete('Once', { maxTokens: 2 });
      const first = jobs.workerFor('completion').workerPid;
      assert.ok(first);
      const answer = await jobs.engine('assistant').complete('Once', { maxTokens: 2 });
      assert.equal(answer.model, 'stories260K.gguf');
      assert.equal(jobs.workerFor('completion').workerPid, undefined, 'the completion model was unloaded');
      assert.ok(logged.some((m) => /unloading stories260K-fim-chat\.gguf to make room for the assistant model/.test(m)), logged.join('\n'));
      // And back again on the next completion.
      const back = await jobs.engine('completion').complete('Once', { maxTokens: 2 });
      assert.equal(back.model, 'stories260K-fim-chat.gguf');
      assert.equal(jobs.workerFor('assistant').workerPid, undefined, 'the assistant model was unloaded in turn');
    } finally {
      await jobs.stop();
    }
  });

  it('when both fit, both stay loaded', async () => {
    const { jobs, logged } = jobEngines({ completion: fimChatModel, assistant: plainModel }, () => 64 * 1024 ** 3);
    try {
      await jobs.engine('completion').complete('Once', { maxTokens: 2 });
      await jobs.engine('assistant').complete('Once', { maxTokens: 2 });
      assert.ok(jobs.workerFor('completion').workerPid && jobs.workerFor('assistant').workerPid);
      assert.ok(!logged.some((m) => /unloading/.test(m)));
    } finally {
      await jobs.stop();
    }
  });

  it('switching a job to another model takes effect on the next request, without touching the other job', async () => {
    const { jobs, models } = jobEngines({ completion: fimChatModel, assistant: fimChatModel });
    try {
      assert.equal((await jobs.engine('assistant').complete('Once', { maxTokens: 2 })).model, 'stories260K-fim-chat.gguf');
      const completionPid = jobs.workerFor('completion').workerPid;
      models.assistant = plainModel;
      jobs.configurationChanged();
      assert.equal((await jobs.engine('assistant').complete('Once', { maxTokens: 2 })).model, 'stories260K.gguf');
      assert.equal(jobs.workerFor('completion').workerPid, completionPid);
      assert.equal((await jobs.engine('completion').complete('Once', { maxTokens: 2 })).model, 'stories260K-fim-chat.gguf');
    } finally {
      await jobs.stop();
    }
  });
});

describe('engine: probing the machine and models (node-llama-cpp estimates, no model loaded)', function () {
  this.timeout(60_000);

  it('reports RAM and cores, estimates each model, explains a broken file, and loads no model', async () => {
    const { jobs } = jobEngines({ completion: fimChatModel, assistant: plainModel });
    try {
      const result = await jobs.probe([plainModel, fimChatModel, '/nonexistent/x.gguf']);
      assert.ok(result.machine.totalRamBytes > 0 && result.machine.freeRamBytes > 0 && result.machine.freeRamBytes <= result.machine.totalRamBytes);
      assert.ok(result.machine.cores >= 1);
      const [plain, fim, missing] = result.models;
      assert.ok(plain.ramBytes > 1_000_000, `plain needs ${plain.ramBytes} bytes`);
      assert.ok(fim.ramBytes >= plain.ramBytes * 0.9);
      assert.ok(plain.compatibilityScore > 0 && plain.compatibilityScore <= 1);
      assert.match(missing.error ?? '', /./);
      assert.equal(jobs.workerFor('completion').workerPid, undefined, 'probing loads no model');
    } finally {
      await jobs.stop();
    }
  });
});
