/**
 * `npm run bench -- --model PATH --json`: drives Hearth's worker outside VS Code and prints one JSON object
 * with its figures, a plain node-llama-cpp baseline's figures at every thread count, and the ratios.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultEngineConfig, type EngineConfig } from '../src/engine/config';
import { CancelledError } from '../src/common/errors';
import { WorkerEngine } from '../src/engine/workerEngine';
import { median, parseArgs, round } from './args';

const dist = path.resolve(__dirname, '..');
const quiet = { error: (m: string) => console.error(m), warn: () => {}, info: () => {}, debug: () => {} };

const words = ['the', 'little', 'robot', 'walked', 'into', 'garden', 'and', 'found', 'a', 'red', 'flower', 'near', 'old', 'wall'];
const prompt = (seed: number, n: number) => Array.from({ length: n }, (_, i) => words[(i * 5 + seed) % words.length]).join(' ');

async function promptOfTokens(engine: WorkerEngine, seed: number, tokens: number): Promise<string> {
  let text = prompt(seed, Math.round(tokens * 0.8));
  while ((await engine.countTokens(text)) < tokens) text += ` ${words[(text.length + seed) % words.length]}`;
  return text;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args.model !== 'string') throw new Error('usage: npm run bench -- --model PATH [--json] [--skip-baseline]');
  const modelPath = path.resolve(args.model);
  const calibrationFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-')), 'threads.json');
  const config: EngineConfig = { ...defaultEngineConfig, modelPath, threads: 'auto', contextSize: 2048, idleUnloadMinutes: 0 };
  const workerPath = path.join(dist, 'worker.js');

  // First load measures threads; the steady-state load (what a user sees every later time) reuses the result.
  const first = new WorkerEngine({ workerPath, config: () => config, log: quiet, calibrationFile });
  let t0 = performance.now();
  await first.modelInfo();
  const firstLoadMs = performance.now() - t0;
  first.dispose();
  await new Promise((r) => setTimeout(r, 300));

  const engine = new WorkerEngine({ workerPath, config: () => config, log: quiet, calibrationFile });
  t0 = performance.now();
  const info = await engine.modelInfo();
  const spawnLoadMs = performance.now() - t0;

  const long = await promptOfTokens(engine, 1, 1000);
  const cold = await engine.complete(long, { maxTokens: 1 }, { workload: 'chat' });
  const promptRuns = [(cold.stats.evaluatedTokens / cold.stats.promptMs) * 1000];
  const repeated = await engine.complete(`${long} and the cat sat`, { maxTokens: 1 }, { workload: 'chat' });

  // This machine may be shared: generation is measured in rounds interleaved with the baseline's, and each
  // side reports its best round, so both are compared under the same conditions.
  const rounds = Number(args.rounds ?? 3);
  const cores = os.availableParallelism();
  const genRuns: number[] = [];
  const baselineRuns: Array<Record<string, number>> = [];
  for (let round = 0; round < rounds; round++) {
    const fresh = await engine.complete(await promptOfTokens(engine, 20 + round, 1000), { maxTokens: 1 }, { workload: 'chat' });
    promptRuns.push((fresh.stats.evaluatedTokens / fresh.stats.promptMs) * 1000);
    for (let i = 0; i < 2; i++) {
      const r = await engine.complete(`Once upon a time ${words[(round * 2 + i) % words.length]}`, { maxTokens: 128 });
      genRuns.push((r.stats.generatedTokens / r.stats.generationMs) * 1000);
    }
    if (args['skip-baseline']) continue;
    for (let t = 1; t <= cores; t++) {
      const out = execFileSync(process.execPath, [path.join(dist, 'bench', 'baseline.js'), '--model', modelPath, '--threads', String(t)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      baselineRuns.push(JSON.parse(out.trim().split('\n').pop()!));
    }
  }

  const cancels: number[] = [];
  for (let i = 0; i < 10; i++) {
    const text = await promptOfTokens(engine, 7 + i, 1000);
    const controller = new AbortController();
    const pending = engine.complete(`${words[i]} ${text}`, { maxTokens: 8 }, { signal: controller.signal, workload: i % 2 ? 'chat' : 'completion' });
    await new Promise((r) => setTimeout(r, 50));
    const c0 = performance.now();
    controller.abort();
    try {
      await pending;
      cancels.push(NaN);
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error;
      cancels.push(performance.now() - c0);
    }
  }
  const stats = await engine.stats();
  engine.dispose();

  const hearth = {
    threads: info.threads,
    threadsReason: info.threadsReason,
    firstLoadMsWithCalibration: round(firstLoadMs),
    spawnLoadMs: round(spawnLoadMs),
    promptTps: round(Math.max(...promptRuns)),
    generationTps: round(Math.max(...genRuns)),
    generationTpsMedian: round(median(genRuns)),
    cancelDuringPromptMs: { median: round(median(cancels)), p90: round([...cancels].sort((a, b) => a - b)[Math.floor(cancels.length * 0.9) - 1]), max: round(Math.max(...cancels)) },
    repeatedPrompt: { promptTokens: repeated.stats.promptTokens, evaluatedTokens: repeated.stats.evaluatedTokens },
    peakWorkerRssMiB: round((stats?.peakRssBytes ?? 0) / 1024 / 1024),
  };

  let baseline: Record<string, unknown> | undefined;
  let ratios: Record<string, number> | undefined;
  if (!args['skip-baseline']) {
    // Per thread count, the best round; then the thread count whose best generation is fastest.
    const runs = Array.from({ length: cores }, (_, i) => baselineRuns.filter((r) => r.threads === i + 1)
      .reduce((a, b) => (b.generationTps > a.generationTps ? { ...b, promptTps: Math.max(a.promptTps, b.promptTps) } : { ...a, promptTps: Math.max(a.promptTps, b.promptTps) })));
    const best = runs.reduce((a, b) => (b.generationTps > a.generationTps ? b : a));
    baseline = {
      perThreads: runs.map((r) => ({ threads: r.threads, promptTps: round(r.promptTps), generationTps: round(r.generationTps) })),
      bestThreads: best.threads,
      loadMs: round(best.loadMs),
      promptTps: round(best.promptTps),
      generationTps: round(best.generationTps),
      cancelDuringPromptMs: round(best.cancelDuringPromptMs),
      repeatedPromptEvaluatedTokens: best.repeatEvaluatedTokens,
      peakRssMiB: round(best.peakRssBytes / 1024 / 1024),
    };
    ratios = {
      generationTps: round(hearth.generationTps / best.generationTps, 3),
      promptTps: round(hearth.promptTps / best.promptTps, 3),
      cancelDuringPrompt: round(hearth.cancelDuringPromptMs.median / best.cancelDuringPromptMs, 3),
      spawnLoad: round(hearth.spawnLoadMs / best.loadMs, 3),
    };
  }
  const result = { model: path.basename(modelPath), machine: { cores: os.availableParallelism(), cpu: os.cpus()[0]?.model }, hearth, baseline, ratios };
  console.log(args.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
