/**
 * Inline-completion benchmark: replays a recorded typing session (typing, pauses, typos and deletions, cursor
 * jumps) in real time over a real 400-line TypeScript file, through the same CompletionController the extension
 * uses, against the real worker engine. Then replays it again with KV-cache prefix reuse and the completion cache
 * off (the "cold" baseline) and prints both with their ratios.
 *
 *   npm run bench:completion -- --model PATH [--json] [--threads N|auto] [--limit N] [--no-cold] [--no-chat]
 *                                [--answer-tokens N]   (fixed-length answers, time budgets lifted)
 *   node dist/bench/completion.js --record      rewrites the trace (deterministic; seed with --seed N)
 *
 * Latency is keystroke → suggestion, for keystrokes that got a suggestion for their own text (a newer keystroke
 * cancels the older request, as VS Code does). Cache hits count with their (tiny) latency; model-only numbers
 * are printed beside them.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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
  suffix?: string;
  startedAt: number;
  endedAt?: number;
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
    return this.track(prefix, () => this.inner.infill(prefix, suffix, sampling, options), options, suffix);
  }

  private async track(prefix: string, run: () => Promise<GenerationResult>, options?: RequestOptions, suffix?: string): Promise<GenerationResult> {
    if (this.cold && (options as { signal?: AbortSignal } | undefined)?.signal?.aborted !== true) {
      await this.inner.prefill('Once upon a time there was a cold cache.', 'completion', { signal: options?.signal });
    }
    const call: EngineCall = { prefix, suffix, startedAt: performance.now(), cancelled: false };
    this.calls.push(call);
    try {
      const result = await run();
      call.endedAt = performance.now();
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
  /** The engine's figures for a model answer (identical object to its EngineCall's). */
  stats?: GenerationStats;
  /** Which place (the stretch between two cursor jumps) the keystroke belongs to. */
  place: number;
}

/**
 * Streams chat answers on the same engine for as long as it runs, to measure completions while a chat answer
 * streams (completions come first: the chat pauses between tokens while one runs).
 */
function streamChat(engine: WorkerEngine, signal: AbortSignal): Promise<number> {
  let tokens = 0;
  return (async () => {
    while (!signal.aborted) {
      try {
        const r = await engine.complete('Once upon a time, in a small town by the sea, there lived', { maxTokens: 400, temperature: 0.8, seed: tokens }, { workload: 'chat', signal });
        tokens += r.stats.generatedTokens;
      } catch (error) {
        if (!isCancelled(error)) throw error;
      }
    }
    return tokens;
  })();
}

export async function replay(trace: Trace, engine: RecordingEngine, settings: CompletionSettings, cold: boolean, limit: number, chatOn?: WorkerEngine) {
  const chatAbort = new AbortController();
  const chat = chatOn ? streamChat(chatOn, chatAbort.signal) : Promise.resolve(0);
  const controller = new CompletionController({ engine, settings: () => settings, useCache: !cold, reportError: (e) => console.error(`error: ${(e as Error).message}`) });
  let text = fs.readFileSync(sourceFile, 'utf8');
  let offset = 0;
  const results: KeystrokeResult[] = [];
  const states: Array<{ text: string; offset: number }> = [];
  let current: AbortController | undefined;
  const pending: Promise<void>[] = [];
  const events = trace.events.slice(0, limit);
  let place = 0;
  const t0 = performance.now();
  for (const event of events) {
    const wait = t0 + event.at - performance.now();
    if (wait > 0) await sleep(wait);
    if (event.kind === 'jump') {
      offset = event.offset;
      place++;
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
    const result: KeystrokeResult = { at, place };
    results.push(result);
    states.push({ text, offset });
    const snapshot = snapshotFromText(text, offset, { key: 'file:///bench/engine-client.ts', relativePath: 'src/engine/workerEngine.ts', languageId: 'typescript' });
    pending.push(controller.resolve(snapshot, { signal: abort.signal, isStale: () => abort.signal.aborted }).then((r) => {
      if (r.kind === 'none' || abort.signal.aborted) return;
      result.answerMs = performance.now() - at;
      if (r.kind !== 'served') {
        result.multiline = r.multiline;
        result.stats = r.stats;
        return;
      }
      const served = r.served;
      result.stats = served.stats;
      result.latencyMs = result.answerMs;
      result.fromCache = served.fromCache;
      result.multiline = served.multiline;
    }));
  }
  // Let the last request finish: a cold one evaluates the whole prompt.
  await sleep(cold ? 10_000 : 3000);
  current?.abort();
  await Promise.all(pending);
  chatAbort.abort();
  const chatTokens = await chat;
  return { results, controller, states, chatTokens };
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

  // Where each model answer's time went: prompt and generation in the worker, the worker's own overhead, the
  // IPC round trip (engine call minus the worker's total), and the host (debounce, cache, prompt building,
  // post-processing: the keystroke's latency minus the engine call).
  // Every model answer counts, shown or not: the random-weight proxy writes text that post-processing drops, so
  // keying on shown suggestions left this empty.
  const breakdown = { promptMs: [] as number[], generationMs: [] as number[], workerOtherMs: [] as number[], ipcMs: [] as number[], hostMs: [] as number[] };
  for (const r of answered.filter((a) => a.stats !== undefined && !a.fromCache)) {
    const call = engine.calls.find((x) => x.stats === r.stats);
    if (!call?.stats || call.endedAt === undefined) continue;
    const st = call.stats;
    const roundTrip = call.endedAt - call.startedAt;
    breakdown.promptMs.push(st.promptMs);
    breakdown.generationMs.push(st.generationMs);
    breakdown.workerOtherMs.push(Math.max(0, st.totalMs - st.promptMs - st.generationMs));
    breakdown.ipcMs.push(Math.max(0, roundTrip - st.totalMs));
    breakdown.hostMs.push(Math.max(0, r.answerMs! - roundTrip));
  }

  // Pauses of 500 ms or more: did the text as it stood get its answer before the next keystroke?
  const pauses = run.results.map((r, i) => ({ r, gap: i + 1 < run.results.length ? run.results[i + 1].at - r.at : Infinity })).filter((x) => x.gap >= 500);
  const pausesAnswered = pauses.filter((x) => x.r.answerMs !== undefined && x.r.answerMs <= x.gap);

  // First keystroke at a new place (after a jump) → the first answer there, for the text as it then stood.
  const places = new Map<number, KeystrokeResult[]>();
  for (const r of run.results) places.set(r.place, [...(places.get(r.place) ?? []), r]);
  const firstAnswer: Array<{ place: number; ms: number; answeredAfterKeystrokes: number; stats?: GenerationStats }> = [];
  for (const [placeIndex, strokes] of places) {
    if (placeIndex === 0) continue;
    const index = strokes.findIndex((r) => r.answerMs !== undefined);
    if (index === -1) continue;
    const answered = strokes[index];
    firstAnswer.push({ place: placeIndex, ms: answered.at + answered.answerMs! - strokes[0].at, answeredAfterKeystrokes: index + 1, stats: answered.stats });
  }
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
    modelAnswerBreakdownMs: Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, dist(v)])),
    pausesOf500msOrMore: { n: pauses.length, answeredForCurrentText: pausesAnswered.length, share: round(pausesAnswered.length / Math.max(1, pauses.length), 3) },
    firstAnswerAfterJumpMs: { ...dist(firstAnswer.map((f) => f.ms)), places: firstAnswer.map((f) => ({ place: f.place, ms: round(f.ms), keystrokes: f.answeredAfterKeystrokes })) },
    firstAnswerAfterJump: firstAnswer,
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
  if (typeof args['answer-tokens'] === 'string') {
    // Fixed-length answers (the time budgets would otherwise cut them short): what a larger model's answers cost.
    const n = Number(args['answer-tokens']);
    Object.assign(settings, { maxTokens: n, singleLineMaxTokens: n, timeBudgetMs: 60_000, singleLineTimeBudgetMs: 60_000 });
  }
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
    settings: { prefixTokens: settings.prefixTokens, suffixTokens: settings.suffixTokens, maxTokens: settings.maxTokens, singleLineMaxTokens: settings.singleLineMaxTokens, singleLineTimeBudgetMs: settings.singleLineTimeBudgetMs, debounceMinMs: settings.debounceMinMs },
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
    const summary = await summarize(run, engine);
    if (mode === 'warm' && info.supportsInfill) {
      // The reference for each place: the raw engine evaluating that answer's prompt unsliced from an empty cache
      // and generating as many tokens.
      const calls = summary.firstAnswerAfterJump.map((f) => engine.calls.find((x) => x.stats === f.stats));
      const withPrompt = summary.firstAnswerAfterJump.filter((_, i) => calls[i]?.suffix !== undefined);
      if (withPrompt.length) {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-raw-')), 'prompts.json');
        fs.writeFileSync(file, JSON.stringify(withPrompt.map((f) => {
          const call = engine.calls.find((x) => x.stats === f.stats)!;
          return { prefix: call.prefix, suffix: call.suffix, generate: f.stats?.generatedTokens ?? 0 };
        })));
        const raw = JSON.parse(execFileSync(process.execPath, [path.join(repoRoot, 'dist', 'bench', 'rawPrompt.js'), '--model', modelPath, '--threads', String(info.threads), '--prompts', file], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').pop()!) as Array<{ promptTokens: number; totalMs: number }>;
        const ratios = withPrompt.map((f, i) => f.ms / raw[i].totalMs);
        (summary as Record<string, unknown>).firstAnswerAfterJumpVsRawEngine = {
          places: withPrompt.map((f, i) => ({ place: f.place, hearthMs: round(f.ms), rawUnslicedMs: round(raw[i].totalMs), promptTokens: raw[i].promptTokens, ratio: round(ratios[i], 2) })),
          ratioP50: round(median(ratios), 2),
          ratioMax: round(Math.max(...ratios), 2),
        };
      }
    }
    const { firstAnswerAfterJump: _places, ...printed } = summary;
    void _places;
    out[mode] = { ...printed, isolatedRequestMs: await isolated(run.states, engine, settings, mode === 'cold', Number(args.samples ?? 5)) };
    if (mode === 'warm' && !args['no-chat']) {
      // The same stretch of typing twice on a fresh engine: idle, then while chat answers stream on it.
      const chatLimit = Math.min(limit, Number(args['chat-events'] ?? 200));
      const idleRun = await replay(trace, new RecordingEngine(inner, false), settings, false, chatLimit);
      const busyRun = await replay(trace, new RecordingEngine(inner, false), settings, false, chatLimit, inner);
      const p50 = (r: typeof idleRun) => pct(r.results.filter((x) => x.answerMs !== undefined).map((x) => x.answerMs!), 50);
      out.whileChatStreams = {
        events: chatLimit,
        idleAnswerP50Ms: round(p50(idleRun)),
        withChatAnswerP50Ms: round(p50(busyRun)),
        ratio: round(p50(busyRun) / p50(idleRun), 3),
        answeredIdle: idleRun.results.filter((x) => x.answerMs !== undefined).length,
        answeredWithChat: busyRun.results.filter((x) => x.answerMs !== undefined).length,
        chatTokensGenerated: busyRun.chatTokens,
      };
    }
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
