/**
 * Inline-completion benchmark: replays a recorded typing session (typing, pauses, typos and deletions, cursor
 * jumps) in real time over a real 400-line TypeScript file, through the same CompletionController the extension
 * uses, against the real worker engine. Then replays it again with KV-cache prefix reuse and the completion cache
 * off (the "cold" baseline) and prints both with their ratios.
 *
 *   npm run bench:completion -- --model PATH [--json] [--threads N|auto] [--limit N] [--no-cold]
 *   node dist/bench/completion.js --record      rewrites the trace (deterministic; seed with --seed N)
 *
 * Latency is keystroke → suggestion, for keystrokes that got a suggestion for their own text (a newer keystroke
 * cancels the older request, as VS Code does). Cache hits count with their (tiny) latency; model-only numbers
 * are printed beside them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep } from '../src/common/abort';
import { CompletionController } from '../src/completion/controller';
import { defaultCompletionSettings, type CompletionSettings } from '../src/completion/settings';
import { snapshotFromText } from '../src/completion/snapshot';
import { defaultEngineConfig } from '../src/engine/config';
import type { GenerationResult, GenerationStats, SamplingOptions, Workload } from '../src/common/protocol';
import { type InferenceEngine, type RequestOptions } from '../src/common/engine';
import { isCancelled } from '../src/common/errors';
import { WorkerEngine } from '../src/engine/workerEngine';
import { median, parseArgs, round } from './args';

const repoRoot = path.resolve(__dirname, '..', '..');
const fixtureDir = path.join(repoRoot, 'bench', 'fixtures', 'completion');
export const sourceFile = path.join(fixtureDir, 'engine-client.ts.txt');
export const traceFile = path.join(fixtureDir, 'trace.json');

type TraceEvent =
  | { at: number; kind: 'type'; text: string }
  | { at: number; kind: 'backspace' }
  | { at: number; kind: 'jump'; offset: number }
  | { at: number; kind: 'deleteRange'; from: number; to: number };

export interface Trace {
  description: string;
  file: string;
  events: TraceEvent[];
}

// ---------------------------------------------------------------------------------------------------------------
// Recording: a deterministic synthetic programmer. Deletes a few function-body regions and types them back.

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function record(seed: number, regions: number): Trace {
  const random = rng(seed);
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  let text = fs.readFileSync(sourceFile, 'utf8');
  const events: TraceEvent[] = [];
  let t = 500;
  const used = new Set<number>();
  for (let r = 0; r < regions; r++) {
    const lines = text.split('\n');
    let line = 0;
    for (let tries = 0; tries < 500; tries++) {
      line = 20 + Math.floor(random() * (lines.length - 40));
      if (/^\s{4,}\S/.test(lines[line]) && ![...used].some((u) => Math.abs(u - line) < 12)) break;
    }
    used.add(line);
    const count = 2 + Math.floor(random() * 3);
    const start = lines.slice(0, line).join('\n').length + 1;
    const indent = /^\s*/.exec(lines[line])![0];
    const from = start + indent.length;
    const to = lines.slice(0, line + count).join('\n').length;
    const removed = text.slice(from, to);
    t += between(800, 2500);
    events.push({ at: Math.round(t), kind: 'jump', offset: from });
    t += between(300, 900);
    events.push({ at: Math.round(t), kind: 'deleteRange', from, to });
    text = text.slice(0, from) + text.slice(to);
    let sinceThink = 0;
    for (const ch of removed) {
      if (random() < 0.03 && /\w/.test(ch)) {
        t += between(60, 190);
        events.push({ at: Math.round(t), kind: 'type', text: String.fromCharCode(97 + Math.floor(random() * 26)) });
        t += between(150, 350);
        events.push({ at: Math.round(t), kind: 'backspace' });
      }
      t += ch === '\n' ? between(300, 1200) : 60 + -Math.log(1 - random()) * 65;
      sinceThink++;
      if (sinceThink > 30 + random() * 40 && /[\s;,)]/.test(ch)) {
        t += between(800, 2500);
        sinceThink = 0;
      }
      events.push({ at: Math.round(t), kind: 'type', text: ch });
    }
  }
  return { description: `synthetic programmer, seed ${seed}: ${regions} regions deleted and re-typed with typos, pauses and jumps`, file: path.basename(sourceFile), events };
}

// ---------------------------------------------------------------------------------------------------------------
// Replay.

interface EngineCall {
  prefix: string;
  startedAt: number;
  stats?: GenerationStats;
  text?: string;
  cancelled: boolean;
}

/** Delegates to the real engine, recording each generation; `cold` first evaluates unrelated text so nothing is reused. */
export class RecordingEngine implements InferenceEngine {
  readonly calls: EngineCall[] = [];
  constructor(private readonly inner: InferenceEngine, private readonly cold: boolean) {}
  get state() { return this.inner.state; }
  get loadedModel() { return this.inner.loadedModel; }
  onDidChangeState(l: Parameters<InferenceEngine['onDidChangeState']>[0]) { return this.inner.onDidChangeState(l); }
  chat(): Promise<GenerationResult> { throw new Error('not used'); }
  prefill(prompt: string, workload: Workload, options?: RequestOptions) { return this.inner.prefill(prompt, workload, options); }
  countTokens(text: string) { return this.inner.countTokens(text); }
  modelInfo() { return this.inner.modelInfo(); }
  stats() { return this.inner.stats(); }
  restart() { return this.inner.restart(); }
  dispose() { this.inner.dispose(); }

  complete(prompt: string, sampling: SamplingOptions, options?: RequestOptions & { workload?: Workload }) {
    return this.track(prompt, () => this.inner.complete(prompt, sampling, options), options);
  }
  infill(prefix: string, suffix: string, sampling: SamplingOptions, options?: RequestOptions & { layout?: 'psm' | 'spm' }) {
    return this.track(prefix, () => this.inner.infill(prefix, suffix, sampling, options), options);
  }

  private async track(prefix: string, run: () => Promise<GenerationResult>, options?: RequestOptions): Promise<GenerationResult> {
    if (this.cold && (options as { signal?: AbortSignal } | undefined)?.signal?.aborted !== true) {
      await this.inner.prefill('Once upon a time there was a cold cache.', 'completion', { signal: options?.signal });
    }
    const call: EngineCall = { prefix, startedAt: performance.now(), cancelled: false };
    this.calls.push(call);
    try {
      const result = await run();
      call.stats = result.stats;
      call.text = result.text;
      return result;
    } catch (error) {
      if (isCancelled(error)) call.cancelled = true;
      throw error;
    }
  }
}

interface KeystrokeResult {
  at: number;
  /** Keystroke → a definitive answer for this text (a suggestion, or nothing worth showing). */
  answerMs?: number;
  latencyMs?: number;
  fromCache?: boolean;
  multiline?: boolean;
}

export async function replay(trace: Trace, engine: RecordingEngine, settings: CompletionSettings, cold: boolean, limit: number) {
  const controller = new CompletionController({ engine, settings: () => settings, useCache: !cold, reportError: (e) => console.error(`error: ${(e as Error).message}`) });
  let text = fs.readFileSync(sourceFile, 'utf8');
  let offset = 0;
  const results: KeystrokeResult[] = [];
  const states: Array<{ text: string; offset: number }> = [];
  let current: AbortController | undefined;
  const pending: Promise<void>[] = [];
  const events = trace.events.slice(0, limit);
  const t0 = performance.now();
  for (const event of events) {
    const wait = t0 + event.at - performance.now();
    if (wait > 0) await sleep(wait);
    if (event.kind === 'jump') {
      offset = event.offset;
      continue;
    }
    if (event.kind === 'type') {
      text = text.slice(0, offset) + event.text + text.slice(offset);
      offset += event.text.length;
    } else if (event.kind === 'backspace') {
      text = text.slice(0, offset - 1) + text.slice(offset);
      offset--;
    } else {
      text = text.slice(0, event.from) + text.slice(event.to);
      offset = event.from;
    }
    // Like VS Code: the keystroke cancels the previous provider call and makes a new one.
    current?.abort();
    const abort = new AbortController();
    current = abort;
    const at = performance.now();
    controller.noteKeystroke(at);
    const result: KeystrokeResult = { at };
    results.push(result);
    states.push({ text, offset });
    const snapshot = snapshotFromText(text, offset, { key: 'file:///bench/engine-client.ts', relativePath: 'src/engine/workerEngine.ts', languageId: 'typescript' });
    pending.push(controller.resolve(snapshot, { signal: abort.signal, isStale: () => abort.signal.aborted }).then((r) => {
      if (r.kind === 'none' || abort.signal.aborted) return;
      result.answerMs = performance.now() - at;
      if (r.kind !== 'served') {
        result.multiline = r.multiline;
        return;
      }
      const served = r.served;
      result.latencyMs = result.answerMs;
      result.fromCache = served.fromCache;
      result.multiline = served.multiline;
    }));
  }
  // Let the last request finish: a cold one evaluates the whole prompt.
  await sleep(cold ? 10_000 : 3000);
  current?.abort();
  await Promise.all(pending);
  return { results, controller, states };
}

const snapshotAt = (state: { text: string; offset: number }) =>
  snapshotFromText(state.text, state.offset, { key: 'file:///bench/engine-client.ts', relativePath: 'src/engine/workerEngine.ts', languageId: 'typescript' });

/**
 * Uninterrupted requests at evenly spaced points of the trace: what one suggestion costs when nothing can be reused
 * (cold) or when the previous keystroke's prompt is in the cache (warm).
 */
export async function isolated(states: Array<{ text: string; offset: number }>, engine: RecordingEngine, settings: CompletionSettings, cold: boolean, samples: number) {
  const out: number[] = [];
  for (let i = 1; i <= samples; i++) {
    const index = Math.floor((i * (states.length - 1)) / (samples + 1));
    const controller = new CompletionController({ engine, settings: () => settings, useCache: false });
    if (!cold) await controller.resolve(snapshotAt(states[index - 1]), { explicit: true });
    const started = performance.now();
    const r = await controller.resolve(snapshotAt(states[index]), { explicit: true });
    if (r.kind !== 'none') out.push(performance.now() - started);
  }
  return dist(out);
}

const pct = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
export const dist = (values: number[]) => ({ n: values.length, p50: round(pct(values, 50)), p95: round(pct(values, 95)), max: round(values.length ? Math.max(...values) : NaN) });

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

export async function summarize(run: { results: KeystrokeResult[]; controller: CompletionController }, engine: RecordingEngine) {
  const shown = run.results.filter((r) => r.latencyMs !== undefined);
  const fromModel = shown.filter((r) => !r.fromCache);
  const single = shown.filter((r) => !r.multiline);
  const answered = run.results.filter((r) => r.answerMs !== undefined);
  // Evaluated prompt tokens per completed request, against what was typed since the previous request's prompt.
  const evaluated: number[] = [];
  const typed: number[] = [];
  const generated: number[] = [];
  const perTyped: number[] = [];
  for (let i = 0; i < engine.calls.length; i++) {
    const call = engine.calls[i];
    if (!call.stats) continue;
    const previous = i > 0 ? engine.calls[i - 1].prefix : '';
    const diff = call.prefix.slice(commonPrefix(previous, call.prefix));
    const typedTokens = diff.length === 0 ? 0 : await engine.countTokens(diff);
    evaluated.push(call.stats.evaluatedTokens);
    typed.push(typedTokens);
    generated.push(call.stats.generatedTokens);
    perTyped.push(call.stats.evaluatedTokens / Math.max(1, typedTokens));
  }
  const c = run.controller.counters;
  return {
    keystrokes: run.results.length,
    suggestionsShown: shown.length,
    shownFromModel: fromModel.length,
    shownFromCache: shown.length - fromModel.length,
    engineRequests: engine.calls.length,
    engineRequestsCompleted: evaluated.length,
    cancelled: c.cancelled,
    emptyAfterPostProcessing: c.empty,
    cacheHitRate: round(c.cacheHits / Math.max(1, c.provideCalls), 3),
    keystrokesAnswered: answered.length,
    answerLatencyMs: dist(answered.map((r) => r.answerMs!)),
    // With a random-weight proxy most answers are dropped by post-processing (self-repeating text); the time to
    // that definitive answer is the same pipeline a shown suggestion goes through.
    answeredSingleLineLatencyMs: dist(answered.filter((r) => !r.multiline).map((r) => r.answerMs!)),
    latencyMs: dist(shown.map((r) => r.latencyMs!)),
    singleLineLatencyMs: dist(single.map((r) => r.latencyMs!)),
    modelOnlyLatencyMs: dist(fromModel.map((r) => r.latencyMs!)),
    promptTokens: dist(engine.calls.filter((x) => x.stats).map((x) => x.stats!.promptTokens)),
    evaluatedTokensPerRequest: dist(evaluated),
    typedTokensSincePreviousRequest: dist(typed),
    generatedTokensPerRequest: dist(generated),
    medianEvaluatedPerTypedToken: round(median(perTyped), 2),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.record) {
    const trace = record(Number(args.seed ?? 7), Number(args.regions ?? 5));
    fs.writeFileSync(traceFile, `${JSON.stringify(trace, null, 0).replace(/\},\{/g, '},\n{')}\n`);
    console.log(`wrote ${traceFile}: ${trace.events.length} events over ${(trace.events.at(-1)!.at / 1000).toFixed(1)} s`);
    return;
  }
  const modelPath = typeof args.model === 'string' ? path.resolve(args.model) : path.join(repoRoot, '.cache', 'models', 'proxy-0.4B-q4_0-fim.gguf');
  if (!fs.existsSync(modelPath)) throw new Error(`model not found: ${modelPath} (see ../shared/models/README.md to generate the proxy)`);
  const trace = JSON.parse(fs.readFileSync(traceFile, 'utf8')) as Trace;
  const limit = typeof args.limit === 'string' ? Number(args.limit) : trace.events.length;
  const threads = typeof args.threads === 'string' && args.threads !== 'auto' ? Number(args.threads) : 'auto';
  const settings: CompletionSettings = { ...defaultCompletionSettings, extraContext: false };
  const log = { error: (m: string) => console.error(m), warn: (m: string) => console.error(m), info: () => undefined, debug: () => undefined };
  const workerPath = path.join(repoRoot, 'dist', 'worker.js');
  const makeEngine = () => new WorkerEngine({
    workerPath, log,
    config: () => ({ ...defaultEngineConfig, modelPath, threads, gpu: 'off', idleUnloadMinutes: 0, contextSize: 4096 }),
    calibrationFile: path.join(repoRoot, '.cache', 'thread-calibration.json'),
  });

  const out: Record<string, unknown> = {
    model: path.basename(modelPath),
    file: `${trace.file} (${fs.readFileSync(sourceFile, 'utf8').split('\n').length} lines)`,
    trace: { events: Math.min(limit, trace.events.length), seconds: round(trace.events[Math.min(limit, trace.events.length) - 1].at / 1000) },
    settings: { prefixTokens: settings.prefixTokens, suffixTokens: settings.suffixTokens, singleLineMaxTokens: settings.singleLineMaxTokens, singleLineTimeBudgetMs: settings.singleLineTimeBudgetMs, debounceMinMs: settings.debounceMinMs },
  };
  const modes = args['cold-only'] ? ['cold'] : args['no-cold'] ? ['warm'] : ['warm', 'cold'];
  for (const mode of modes) {
    const inner = makeEngine();
    const info = await inner.modelInfo();
    out.threads = info.threads;
    out.supportsInfill = info.supportsInfill;
    const engine = new RecordingEngine(inner, mode === 'cold');
    // One request first so the model's first-evaluation costs are not part of the trace.
    await inner.complete('function warmUp() {', { maxTokens: 2 });
    if (!args.json) console.error(`replaying ${mode}…`);
    const run = await replay(trace, engine, settings, mode === 'cold', limit);
    out[mode] = { ...(await summarize(run, engine)), isolatedRequestMs: await isolated(run.states, engine, settings, mode === 'cold', Number(args.samples ?? 5)) };
    if (args.verbose) {
      for (const call of engine.calls.filter((x) => x.stats)) {
        const st = call.stats!;
        console.error(`${mode}: prompt ${st.promptTokens} eval ${st.evaluatedTokens} in ${st.promptMs.toFixed(0)} ms; gen ${st.generatedTokens} in ${st.generationMs.toFixed(0)} ms; total ${st.totalMs.toFixed(0)} ms: ${JSON.stringify(call.text)}`);
      }
      const shown = run.results.filter((r) => r.latencyMs !== undefined);
      console.error(`${mode}: shown ${shown.map((r) => `${r.latencyMs!.toFixed(0)}${r.fromCache ? 'c' : ''}${r.multiline ? 'm' : ''}`).join(' ')}`);
    }
    inner.dispose();
    await sleep(300);
  }
  type Summary = Awaited<ReturnType<typeof summarize>> & { isolatedRequestMs: ReturnType<typeof dist> };
  const warm = out.warm as Summary | undefined;
  const cold = out.cold as Summary | undefined;
  if (!warm) {
    console.log(args.json ? JSON.stringify(out, null, 2) : out);
    return;
  }
  if (cold) {
    out.ratios = {
      warmOverColdP50: round(warm.latencyMs.p50 / cold.latencyMs.p50, 3),
      warmTraceP50OverColdIsolatedP50: round(warm.latencyMs.p50 / cold.isolatedRequestMs.p50, 3),
      warmIsolatedOverColdIsolatedP50: round(warm.isolatedRequestMs.p50 / cold.isolatedRequestMs.p50, 3),
      warmOverColdSingleLineP50: round(warm.singleLineLatencyMs.p50 / cold.singleLineLatencyMs.p50, 3),
      warmOverColdModelOnlyP50: round(warm.modelOnlyLatencyMs.p50 / cold.modelOnlyLatencyMs.p50, 3),
      warmAnsweredOverColdIsolatedP50: round(warm.answerLatencyMs.p50 / cold.isolatedRequestMs.p50, 3),
      warmOverColdEvaluatedMedian: round(warm.evaluatedTokensPerRequest.p50 / cold.evaluatedTokensPerRequest.p50, 3),
      shownWarmOverCold: round(warm.suggestionsShown / Math.max(1, cold.suggestionsShown), 2),
    };
  }
  const singleBasis = warm.singleLineLatencyMs.n > 0 ? warm.singleLineLatencyMs : warm.answeredSingleLineLatencyMs;
  out.targets = {
    singleLineLatencyBasis: warm.singleLineLatencyMs.n > 0 ? 'shown suggestions' : 'answered single-line requests (nothing shown: the proxy model writes noise)',
    warmSingleLineP50AtMost250ms: singleBasis.p50 <= 250,
    medianEvaluatedAtMostTwiceTyped: warm.evaluatedTokensPerRequest.p50 <= 2 * Math.max(1, warm.typedTokensSincePreviousRequest.p50),
    // In the cold replay no keystroke ever gets a suggestion (every request is cancelled before the prompt is
    // evaluated), so its trace p50 is unbounded; the ratio uses the cold uninterrupted request instead.
    warmOverColdP50AtMost0_2: cold ? (Number.isFinite(warm.latencyMs.p50) ? warm.latencyMs.p50 : warm.answerLatencyMs.p50) / (Number.isFinite(cold.latencyMs.p50) ? cold.latencyMs.p50 : cold.isolatedRequestMs.p50) <= 0.2 : undefined,
  };
  console.log(args.json ? JSON.stringify(out, null, 2) : out);
}

// bench/remoteCompletion.ts bundles this file for its replay: run only as dist/bench/completion.js itself.
if (require.main === module && path.basename(__filename) === 'completion.js') {
  main().then(() => process.exit(0), (error) => {
    console.error(error);
    process.exit(1);
  });
}
