/**
 * `npm run bench -- --model PATH [--rounds N] [--skip-baseline] [--skip-native]`: one JSON object with
 *   - Hearth's worker at each thread count and at "auto": prompt tok/s on both lanes (a fresh 1,000-token
 *     prompt), generation tok/s after 0, 500 and 1,000 tokens of context, and cancels during a 1,000-token
 *     prompt (when the cancel settles, and how long the next request on that lane then waits);
 *   - a plain node-llama-cpp script (bench/baseline.ts) at each thread count;
 *   - llama.cpp's own llama-bench built from the sources inside node-llama-cpp (bench/native), pp512 and tg64
 *     at the same depths and thread counts;
 *   - every ratio. Rounds are interleaved so a busy spell on a shared machine hits all sides alike; each side
 *     reports its best round.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultEngineConfig, type EngineConfig } from '../src/engine/config';
import { CancelledError } from '../src/common/errors';
import type { ThreadsSetting } from '../src/common/protocol';
import { WorkerEngine } from '../src/engine/workerEngine';
import { median, parseArgs, round } from './args';
import { llamaBench, type NativeResult } from './native';

const dist = path.resolve(__dirname, '..');
const repoRoot = path.resolve(dist, '..');
const quiet = { error: (m: string) => console.error(m), warn: () => {}, info: () => {}, debug: () => {} };
const DEPTHS = [0, 500, 1000];

const words = ['the', 'little', 'robot', 'walked', 'into', 'garden', 'and', 'found', 'a', 'red', 'flower', 'near', 'old', 'wall'];
const prompt = (seed: number, n: number) => Array.from({ length: n }, (_, i) => words[(i * 5 + seed) % words.length]).join(' ');

async function promptOfTokens(engine: WorkerEngine, seed: number, tokens: number): Promise<string> {
  let text = prompt(seed, Math.round(tokens * 0.8));
  while ((await engine.countTokens(text)) < tokens) text += ` ${words[(text.length + seed) % words.length]}`;
  return text;
}

const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(values.length * 0.9) - 1)];
const summary = (values: number[]) => ({ median: round(median(values)), p90: round(p90(values)), max: round(Math.max(...values)) });
const best = (values: number[]) => round(Math.max(...values));

interface HearthRound {
  promptTps: { completion: number; chat: number };
  generationTps: Record<number, number>;
}

class HearthSide {
  rounds: HearthRound[] = [];
  cancels: number[] = [];
  nextRequestWaits: number[] = [];
  constructor(readonly engine: WorkerEngine, readonly threads: ThreadsSetting) {}

  async round(seed: number): Promise<void> {
    const engine = this.engine;
    const promptTps = { completion: 0, chat: 0 };
    for (const workload of ['completion', 'chat'] as const) {
      const r = await engine.complete(await promptOfTokens(engine, seed * 7 + (workload === 'chat' ? 3 : 0), 1000), { maxTokens: 1 }, { workload });
      promptTps[workload] = (r.stats.evaluatedTokens / r.stats.promptMs) * 1000;
    }
    const generationTps: Record<number, number> = {};
    for (const depth of DEPTHS) {
      const text = depth === 0 ? `Once upon a time ${words[seed % words.length]}` : await promptOfTokens(engine, seed * 11 + depth, depth);
      const r = await engine.complete(text, { maxTokens: 64 }, { workload: 'chat' });
      generationTps[depth] = (r.stats.generatedTokens / r.stats.generationMs) * 1000;
    }
    this.rounds.push({ promptTps, generationTps });
  }

  /**
   * Cancels at different points of a 1,000-token prompt. Settling is what the caller waits for; the next request
   * on the lane may still wait for the prompt slice that was running, so that wait is measured too (a short
   * request's latency right after the cancel, minus its latency when the lane is idle).
   */
  async measureCancels(trials: number): Promise<void> {
    const engine = this.engine;
    const followUp = (i: number) => engine.complete(`${words[i % words.length]} ${words[(i + 3) % words.length]} cat`, { maxTokens: 1 }, { workload: 'chat' });
    const idle: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await followUp(i);
      idle.push(performance.now() - t0);
    }
    const idleMs = median(idle);
    for (let i = 0; i < trials; i++) {
      const text = await promptOfTokens(engine, 100 + i, 1000);
      const controller = new AbortController();
      const pending = engine.complete(`${words[i % words.length]} ${text}`, { maxTokens: 8 }, { signal: controller.signal, workload: 'chat' });
      // Abort at different ages of the prompt: early slices are short, later ones longer.
      await new Promise((r) => setTimeout(r, 50 + ((i * 137) % 900)));
      const c0 = performance.now();
      controller.abort();
      try {
        await pending;
        continue; // finished before the abort: not a cancel during the prompt
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        this.cancels.push(performance.now() - c0);
      }
      const f0 = performance.now();
      await followUp(i);
      this.nextRequestWaits.push(Math.max(0, performance.now() - f0 - idleMs));
    }
  }

  report(info: { threads: number; threadsReason: string }, spawnLoadMs: number) {
    const gen = Object.fromEntries(DEPTHS.map((d) => [d, best(this.rounds.map((r) => r.generationTps[d]))]));
    return {
      setting: this.threads,
      threads: info.threads,
      threadsReason: info.threadsReason,
      spawnLoadMs: round(spawnLoadMs),
      promptTps: {
        completionLane: best(this.rounds.map((r) => r.promptTps.completion)),
        chatLane: best(this.rounds.map((r) => r.promptTps.chat)),
      },
      generationTps: gen,
      cancelDuringPromptMs: this.cancels.length ? summary(this.cancels) : undefined,
      nextRequestWaitAfterCancelMs: this.nextRequestWaits.length ? summary(this.nextRequestWaits) : undefined,
    };
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args.model !== 'string') throw new Error('usage: npm run bench -- --model PATH [--rounds N] [--skip-baseline] [--skip-native]');
  const modelPath = path.resolve(args.model);
  const rounds = Number(args.rounds ?? 3);
  const cores = os.availableParallelism();
  const threadCounts = Array.from({ length: cores }, (_, i) => i + 1);
  const calibrationFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-')), 'threads.json');
  const workerPath = path.join(dist, 'worker.js');
  const engineFor = (threads: ThreadsSetting) => {
    const config: EngineConfig = { ...defaultEngineConfig, modelPath, threads, contextSize: 2048, idleUnloadMinutes: 0 };
    return new WorkerEngine({ workerPath, config: () => config, log: quiet, calibrationFile });
  };

  // "auto" measures threads on its first load; that load is reported, then the steady-state load (every later
  // start) reuses the measurement.
  const first = engineFor('auto');
  let t0 = performance.now();
  await first.modelInfo();
  const firstLoadMs = performance.now() - t0;
  first.dispose();
  await new Promise((r) => setTimeout(r, 300));

  const settings: ThreadsSetting[] = ['auto', ...threadCounts];
  const sides: Array<{ side: HearthSide; info: { threads: number; threadsReason: string }; loadMs: number }> = [];
  for (const setting of settings) {
    const engine = engineFor(setting);
    t0 = performance.now();
    const info = await engine.modelInfo();
    sides.push({ side: new HearthSide(engine, setting), info, loadMs: performance.now() - t0 });
  }
  const repeatedBase = await promptOfTokens(sides[0].side.engine, 1, 1000);
  await sides[0].side.engine.complete(repeatedBase, { maxTokens: 1 }, { workload: 'completion' });
  const repeated = await sides[0].side.engine.complete(`${repeatedBase} and the cat sat`, { maxTokens: 1 }, { workload: 'completion' });

  const baselineRuns: Array<{ threads: number; promptTps: number; generationTps: Record<string, number>; cancelDuringPromptMs: number; loadMs: number; peakRssBytes: number; repeatEvaluatedTokens: number }> = [];
  const nativeRuns: NativeResult[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const { side } of sides) await side.round(20 + r);
    if (!args['skip-baseline']) {
      for (const t of threadCounts) {
        const out = execFileSync(process.execPath, [path.join(dist, 'bench', 'baseline.js'), '--model', modelPath, '--threads', String(t), '--depths', DEPTHS.join(',')], { encoding: 'utf8', maxBuffer: 1 << 24 });
        baselineRuns.push(JSON.parse(out.trim().split('\n').pop()!));
      }
    }
    if (!args['skip-native']) nativeRuns.push(...llamaBench(repoRoot, modelPath, threadCounts, DEPTHS, 1));
  }
  for (const { side } of sides) await side.measureCancels(Number(args.cancels ?? 12));
  const stats = await sides[0].side.engine.stats();
  for (const { side } of sides) side.engine.dispose();

  const hearthReports = sides.map(({ side, info, loadMs }) => side.report(info, loadMs));
  const auto = hearthReports[0];
  const hearth = {
    ...auto,
    firstLoadMsWithCalibration: round(firstLoadMs),
    repeatedPrompt: { promptTokens: repeated.stats.promptTokens, evaluatedTokens: repeated.stats.evaluatedTokens },
    peakWorkerRssMiB: round((stats?.peakRssBytes ?? 0) / 1024 / 1024),
    perThreads: hearthReports.slice(1),
  };

  const out: Record<string, unknown> = { model: path.basename(modelPath), machine: { cores, cpu: os.cpus()[0]?.model }, hearth };
  const ratios: Record<string, unknown> = {};
  if (baselineRuns.length) {
    const perThreads = threadCounts.map((t) => {
      const runs = baselineRuns.filter((b) => b.threads === t);
      return {
        threads: t,
        promptTps: best(runs.map((b) => b.promptTps)),
        generationTps: Object.fromEntries(DEPTHS.map((d) => [d, best(runs.map((b) => b.generationTps[d]))])),
        cancelDuringPromptMs: round(median(runs.map((b) => b.cancelDuringPromptMs))),
        loadMs: round(median(runs.map((b) => b.loadMs))),
      };
    });
    const top = perThreads.reduce((a, b) => (b.generationTps[0] > a.generationTps[0] ? b : a));
    out.baseline = { perThreads, bestThreads: top.threads, repeatedPromptEvaluatedTokens: baselineRuns[0].repeatEvaluatedTokens, peakRssMiB: round(Math.max(...baselineRuns.map((b) => b.peakRssBytes)) / 1024 / 1024) };
    ratios.vsBaseline = {
      generationTps: Object.fromEntries(DEPTHS.map((d) => [d, round(auto.generationTps[d] / Math.max(...perThreads.map((p) => p.generationTps[d])), 3)])),
      promptTps: round(auto.promptTps.completionLane / Math.max(...perThreads.map((p) => p.promptTps)), 3),
      cancelDuringPrompt: auto.cancelDuringPromptMs ? round(auto.cancelDuringPromptMs.median / top.cancelDuringPromptMs, 3) : undefined,
    };
  }
  if (nativeRuns.length) {
    const pick = (test: NativeResult['test'], threads: number, depth: number) => best(nativeRuns.filter((n) => n.test === test && n.threads === threads && n.depth === depth).map((n) => n.tps));
    const perThreads = threadCounts.map((t) => ({
      threads: t,
      pp512: Object.fromEntries(DEPTHS.map((d) => [d, pick('pp512', t, d)])),
      tg64: Object.fromEntries(DEPTHS.map((d) => [d, pick('tg64', t, d)])),
    }));
    const bestOf = (test: 'pp512' | 'tg64', d: number) => Math.max(...perThreads.map((p) => p[test][d]));
    out.native = { tool: 'llama-bench (llama.cpp inside node-llama-cpp, built for this CPU)', perThreads };
    ratios.vsNativeBest = {
      generationTps: Object.fromEntries(DEPTHS.map((d) => [d, round(auto.generationTps[d] / bestOf('tg64', d), 3)])),
      promptTpsCompletionLane: round(auto.promptTps.completionLane / bestOf('pp512', 0), 3),
      promptTpsChatLane: round(auto.promptTps.chatLane / bestOf('pp512', 0), 3),
      perThreads: hearth.perThreads.map((h) => ({
        threads: h.threads,
        generationTps: Object.fromEntries(DEPTHS.map((d) => [d, round(h.generationTps[d] / perThreads[h.threads - 1].tg64[d], 3)])),
        promptTps: round(h.promptTps.completionLane / perThreads[h.threads - 1].pp512[0], 3),
      })),
    };
  }
  out.ratios = ratios;
  console.log(JSON.stringify(out, null, args.json ? 0 : 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
