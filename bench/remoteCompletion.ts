/**
 * The completion trace (bench/completion.ts's replay, same controller, same settings) through both engines in
 * one run, on the same model and thread count: the embedded worker, and the remote engine against llama.cpp's
 * llama-server (bench/native/build.sh builds it from the llama.cpp inside node-llama-cpp) on 127.0.0.1 with one
 * slot of the same context and the same suffix-first FIM layout (--spm-infill). Prints both and the ratios, and
 * where the remote path spends time outside the model: per request, total minus the prompt and generation time
 * each engine reports.
 *
 *   npm run bench:completion:remote -- [--model PATH] [--threads N] [--limit N] [--samples N] [--server-batch N] [--no-repack] [--json]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep } from '../src/common/abort';
import type { InferenceEngine } from '../src/common/engine';
import { defaultCompletionSettings, type CompletionSettings } from '../src/completion/settings';
import { defaultEngineConfig } from '../src/engine/config';
import { RemoteEngine } from '../src/engine/remote/remoteEngine';
import { WorkerEngine } from '../src/engine/workerEngine';
import { startLlamaServer } from '../test/support/llamaServer';
import { parseArgs, round } from './args';
import { dist, isolated, RecordingEngine, replay, summarize, traceFile, type Trace } from './completion';

const repoRoot = path.resolve(__dirname, '..', '..');
const quiet = { error: (m: string) => console.error(m), warn: (m: string) => console.error(m), info: () => undefined, debug: () => undefined };

/** Per completed request: time outside the model's own prompt and generation work (IPC or HTTP, parsing, queueing). */
function outsideModelMs(engine: RecordingEngine): ReturnType<typeof dist> {
  const values: number[] = [];
  for (const call of engine.calls) {
    if (call.stats) values.push(Math.max(0, call.stats.totalMs - call.stats.promptMs - call.stats.generationMs));
  }
  return dist(values);
}

async function run(name: string, inner: InferenceEngine, trace: Trace, settings: CompletionSettings, limit: number, samples: number, json: boolean) {
  await inner.modelInfo();
  // One request first, so neither engine's first-evaluation costs land in the trace.
  await inner.complete('function warmUp() {', { maxTokens: 2 });
  const engine = new RecordingEngine(inner, false);
  if (!json) console.error(`replaying through the ${name} engine…`);
  const replayed = await replay(trace, engine, settings, false, limit);
  const summary = await summarize(replayed, engine);
  // The request a user waits for, measured from outside the engine: keystroke to answer, warm cache.
  const started = performance.now();
  const trivial: number[] = [];
  for (let i = 0; i < samples * 2; i++) {
    const t0 = performance.now();
    await inner.complete(`const x${i} =`, { maxTokens: 1 });
    trivial.push(performance.now() - t0);
  }
  return {
    ...summary,
    isolatedRequestMs: await isolated(replayed.states, engine, settings, false, samples),
    outsideModelMsPerRequest: outsideModelMs(engine),
    oneTokenRequestMs: dist(trivial),
    oneTokenRequestsSeconds: round((performance.now() - started) / 1000),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const modelPath = typeof args.model === 'string' ? path.resolve(args.model) : path.join(repoRoot, '.cache', 'models', 'proxy-0.4B-q4_0-fim.gguf');
  if (!fs.existsSync(modelPath)) throw new Error(`model not found: ${modelPath}`);
  const threads = typeof args.threads === 'string' ? Number(args.threads) : 1;
  const trace = JSON.parse(fs.readFileSync(traceFile, 'utf8')) as Trace;
  const limit = typeof args.limit === 'string' ? Number(args.limit) : trace.events.length;
  const samples = Number(args.samples ?? 5);
  const json = Boolean(args.json);
  const settings: CompletionSettings = { ...defaultCompletionSettings, extraContext: false };
  const contextSize = 4096;

  const out: Record<string, unknown> = { model: path.basename(modelPath), threads, contextSize, trace: { events: Math.min(limit, trace.events.length) } };

  const embedded = new WorkerEngine({
    workerPath: path.join(repoRoot, 'dist', 'worker.js'), log: quiet,
    config: () => ({ ...defaultEngineConfig, modelPath, threads, gpu: 'off', idleUnloadMinutes: 0, contextSize }),
  });
  let embeddedContext = contextSize;
  try {
    // The worker holds the context to the model's trained length: the server gets the same.
    embeddedContext = (await embedded.modelInfo()).contextSize;
    out.contextSize = embeddedContext;
    out.embedded = await run('embedded', embedded, trace, settings, limit, samples, json);
  } finally {
    await embedded.stop();
  }
  await sleep(300);

  // One slot of the same context; suffix-first FIM as the controller asks the worker for.
  // --no-repack: for a llama-server built with AMX on a machine that reports AMX but faults on it (see build.sh).
  const server = await startLlamaServer({ model: modelPath, contextSize: embeddedContext, slots: 1, threads, extraArgs: [
    '--spm-infill', ...(args['no-repack'] ? ['--no-repack'] : []),
    // --server-batch N: a cancelled request frees its slot after one batch, not the whole prompt; /infill keeps ¾ of
    // the batch for the prefix and ¼ for the suffix, so below ~1,024 it cuts Hearth's prompt.
    ...(typeof args['server-batch'] === 'string' ? ['-b', args['server-batch'], '-ub', args['server-batch']] : []),
  ] });
  out.serverArgs = { spmInfill: true, noRepack: Boolean(args['no-repack']), batch: args['server-batch'] ?? 'default (2048)' };
  const remote = new RemoteEngine({
    target: () => ({ url: server.url, model: '', fim: 'auto', connectTimeoutMs: 5000, readTimeoutMs: 120_000, contextSize: embeddedContext }),
    apiKey: async () => undefined, log: quiet,
  });
  try {
    out.remote = await run('remote', remote, trace, settings, limit, samples, json);
    out.server = { url: server.url, binary: 'llama-server (bench/native/build.sh)' };
  } finally {
    remote.dispose();
    await server.stop();
  }

  type Summary = Awaited<ReturnType<typeof run>>;
  const e = out.embedded as Summary;
  const r = out.remote as Summary;
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b, 3) : null);
  out.ratios = {
    remoteOverEmbeddedAnswerP50: ratio(r.answerLatencyMs.p50, e.answerLatencyMs.p50),
    remoteOverEmbeddedShownP50: ratio(r.latencyMs.p50, e.latencyMs.p50),
    remoteOverEmbeddedIsolatedP50: ratio(r.isolatedRequestMs.p50, e.isolatedRequestMs.p50),
    remoteOverEmbeddedOneTokenP50: ratio(r.oneTokenRequestMs.p50, e.oneTokenRequestMs.p50),
    remoteOverEmbeddedEvaluatedTokensP50: ratio(r.evaluatedTokensPerRequest.p50, e.evaluatedTokensPerRequest.p50),
  };
  console.log(json ? JSON.stringify(out, null, 2) : out);
}

main().then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
