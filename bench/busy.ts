/**
 * Threads on a busy machine: prompt and generation speed of Hearth's worker with "auto" threads (the calibrated
 * count, and the fallback to one thread while that count is slower) against fixed counts, first as the machine is,
 * then with busy-loop processes taking cores. One JSON object on stdout.
 *
 *   node esbuild.mjs && node dist/bench/busy.js --model PATH [--hogs 1] [--rounds 3] [--prompt-tokens 1000]
 *     [--answer-tokens 128] [--preset-threads N]
 *
 * "auto" calibrates on its first load, as a user's first load does (so the machine should be quiet then).
 * --preset-threads N writes the calibration instead, as if a quiet first load had chosen N threads for both
 * phases: the way to measure the fallback on a machine that is busy already. A preset carries no measured speeds, so
 * the fallback starts at its first probe instead of within a few decodes (its worst case).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultEngineConfig, type EngineConfig } from '../src/engine/config';
import type { ModelInfo, ThreadsSetting } from '../src/common/protocol';
import { WorkerEngine } from '../src/engine/workerEngine';
import { sizeClassOf } from '../src/worker/threadChoice';
import { median, parseArgs, round } from './args';

const dist = path.resolve(__dirname, '..');
const quiet = { error: (m: string) => console.error(m), warn: (m: string) => console.error(m), info: (m: string) => process.env.BENCH_VERBOSE && console.error(m), debug: () => {} };
const args = parseArgs(process.argv.slice(2));
const modelPath = path.resolve(String(args.model ?? '.cache/models/proxy-0.4B-q4_0-fim.gguf'));
const hogs = Number(args.hogs ?? 1);
const rounds = Number(args.rounds ?? 3);
const promptTokens = Number(args['prompt-tokens'] ?? 1000);
const answerTokens = Number(args['answer-tokens'] ?? 128);
const preset = args['preset-threads'] === undefined ? undefined : Number(args['preset-threads']);

const words = ['the', 'little', 'robot', 'walked', 'into', 'garden', 'and', 'found', 'a', 'red', 'flower', 'near', 'old', 'wall'];

async function promptOf(engine: WorkerEngine, seed: number): Promise<string> {
  let text = Array.from({ length: Math.round(promptTokens * 0.8) }, (_, i) => words[(i * 5 + seed) % words.length]).join(' ');
  while ((await engine.countTokens(text)) < promptTokens) text += ` ${words[(text.length + seed) % words.length]}`;
  return text;
}

function startHogs(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

async function main() {
  const calibrationFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-busy-')), 'threads.json');
  if (preset !== undefined) {
    // The key the worker's calibration cache uses (src/worker/threads.ts machineKey), for a CPU-only load.
    const key = `v2|${os.cpus()[0]?.model ?? 'cpu'}|${os.cpus().length}|${sizeClassOf(fs.statSync(modelPath).size)}|cpu`;
    fs.writeFileSync(calibrationFile, JSON.stringify({ [key]: { threads: preset, measurements: [], at: 'preset by bench/busy' } }));
  }
  const sides: Array<{ name: string; threads: ThreadsSetting }> = [
    { name: 'auto', threads: 'auto' },
    ...[1, 2].filter((t) => t <= os.cpus().length).map((t) => ({ name: `fixed ${t}`, threads: t as ThreadsSetting })),
  ];
  const engines = sides.map((side) => {
    const config: EngineConfig = { ...defaultEngineConfig, modelPath, threads: side.threads, contextSize: 2048, idleUnloadMinutes: 0 };
    return new WorkerEngine({ workerPath: path.join(dist, 'worker.js'), config: () => config, log: quiet, calibrationFile });
  });
  const infos: ModelInfo[] = [];
  for (const engine of engines) infos.push(await engine.modelInfo());

  const measure = async (phase: string) => {
    const results = sides.map(() => ({ promptTps: [] as number[], generationTps: [] as number[] }));
    // Interleaved, so a busy spell hits every side alike.
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < engines.length; i++) {
        const text = await promptOf(engines[i], r * 7 + i + phase.length);
        const out = await engines[i].complete(text, { maxTokens: answerTokens, temperature: 0 }, { workload: 'completion' });
        results[i].promptTps.push((out.stats.evaluatedTokens / out.stats.promptMs) * 1000);
        results[i].generationTps.push((out.stats.generatedTokens / out.stats.generationMs) * 1000);
      }
    }
    const stats = await Promise.all(engines.map((e) => e.stats()));
    return Object.fromEntries(sides.map((side, i) => [side.name, {
      promptTps: round(median(results[i].promptTps)), generationTps: round(median(results[i].generationTps)),
      generatedPerAnswer: answerTokens, activeThreads: stats[i]?.activeThreads,
    }]));
  };

  const out: Record<string, unknown> = {
    model: path.basename(modelPath), cores: os.cpus().length, promptTokens, answerTokens, rounds, hogs,
    calibration: preset === undefined ? 'measured on the first load' : `preset: ${preset} threads`,
    sides: Object.fromEntries(sides.map((s, i) => [s.name, { threads: infos[i].threads, batchThreads: infos[i].batchThreads, reason: infos[i].threadsReason }])),
    loadavgBefore: os.loadavg().map((l) => round(l, 2)),
  };
  out.asIs = await measure('as is');
  const children = startHogs(hogs);
  try {
    await new Promise((r) => setTimeout(r, 1000));
    out.withHogs = await measure('hogs');
  } finally {
    for (const c of children) c.kill('SIGKILL');
  }
  out.loadavgAfter = os.loadavg().map((l) => round(l, 2));
  await Promise.all(engines.map((e) => e.dispose()));
  console.log(JSON.stringify(out, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
