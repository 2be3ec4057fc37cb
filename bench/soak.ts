/**
 * Soak: minutes of mixed work against the real engine (completions as typing would send them, chat turns, a
 * selection-action-sized rewrite prompt, token counts, an occasional restart standing in for an idle unload and
 * reload) while the worker's RSS, this process's heap and the latency are sampled. Prints JSON with the samples,
 * the memory slopes in MiB/hour (least squares over the samples after warm-up) and latency percentiles; with
 * --max-slope it exits 1 when the worker's RSS slope is above it (the ≤ 3-minute CI version).
 *
 *   node esbuild.mjs && node dist/bench/soak.js [--minutes 3] [--model PATH] [--max-slope 200] [--sample-seconds 5]
 */
import * as path from 'node:path';
import { defaultEngineConfig } from '../src/engine/config';
import { WorkerEngine } from '../src/engine/workerEngine';
import { fimChatModel, workerPath } from '../test/support/paths';
import { quietLog } from '../test/support/realEngine';
import { parseArgs, round } from './args';

const args = parseArgs(process.argv.slice(2));
const minutes = Number(args.minutes ?? 3);
const sampleMs = Number(args['sample-seconds'] ?? 5) * 1000;
const maxSlope = args['max-slope'] === undefined ? undefined : Number(args['max-slope']);
const modelPath = path.resolve(String(args.model ?? fimChatModel));
/** Samples in the first share of the run are warm-up (caches fill, the allocator settles), not a trend. */
const WARMUP_SHARE = 0.2;
const MiB = 1024 * 1024;

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const CODE = 'function fibonacci(n) {\n  if (n < 2) return n;\n  return fibonacci(n - 1) + fibonacci(n - 2);\n}\n\n';
const PROSE = 'Once upon a time there was a little cat who lived near a big red barn. Every day the cat walked to the park.';

async function main(): Promise<void> {
  const engine = new WorkerEngine({ workerPath, log: quietLog, config: () => ({ ...defaultEngineConfig, modelPath, threads: 1, contextSize: 2048, idleUnloadMinutes: 0 }) });
  const unhandled: string[] = [];
  process.on('unhandledRejection', (reason) => unhandled.push(String(reason)));
  const latency: Record<string, number[]> = { completion: [], chat: [], action: [], countTokens: [] };
  const samples: Array<{ t: number; workerRssMiB: number; heapMiB: number; requests: number; restarts: number }> = [];
  const started = Date.now();
  const end = started + minutes * 60_000;
  let requests = 0;
  let restarts = 0;
  let errors = 0;
  const timed = async (kind: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    try {
      await fn();
      latency[kind].push(performance.now() - t0);
    } catch (error) {
      if ((error as Error).name !== 'CancelledError') errors++;
    }
    requests++;
  };
  const sample = async () => {
    const stats = await engine.stats().catch(() => undefined);
    samples.push({ t: (Date.now() - started) / 1000, workerRssMiB: round((stats?.rssBytes ?? 0) / MiB), heapMiB: round(process.memoryUsage().heapUsed / MiB), requests, restarts });
  };
  await engine.modelInfo();
  let nextSample = Date.now();
  try {
    for (let round_ = 0; Date.now() < end; round_++) {
      // Typing: a completion per keystroke over a growing prefix, each superseding the last.
      const typed = CODE.slice(0, 20 + (round_ * 7) % (CODE.length - 20));
      await timed('completion', () => engine.infill(typed, '\n', { maxTokens: 16, maxLines: 1 }));
      if (round_ % 5 === 0) await timed('chat', () => engine.chat([{ role: 'user', content: `Tell me about round ${round_}.` }], { maxTokens: 48 }, {}));
      if (round_ % 7 === 0) await timed('action', () => engine.chat([{ role: 'system', content: 'Rewrite the text.' }, { role: 'user', content: PROSE }], { maxTokens: 64 }));
      if (round_ % 3 === 0) await timed('countTokens', () => engine.countTokens(PROSE + typed));
      // Idle unload and reload, as after hearth.idleUnloadMinutes: the model leaves memory and comes back.
      if (round_ > 0 && round_ % 400 === 0) {
        await engine.unload();
        restarts++;
      }
      if (Date.now() >= nextSample) {
        await sample();
        nextSample += sampleMs;
      }
    }
    await sample();
  } finally {
    await engine.stop();
  }
  const steady = samples.filter((s) => s.t >= minutes * 60 * WARMUP_SHARE && s.workerRssMiB > 0);
  const perHour = (key: 'workerRssMiB' | 'heapMiB') => round(slope(steady.map((s) => [s.t / 3600, s[key]])), 1);
  const result = {
    minutes, model: path.basename(modelPath), requests, errors, restarts, unhandledRejections: unhandled,
    workerRssSlopeMiBPerHour: perHour('workerRssMiB'),
    hostHeapSlopeMiBPerHour: perHour('heapMiB'),
    latencyMs: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, { n: v.length, p50: round(percentile(v, 50)), p95: round(percentile(v, 95)) }])),
    samples,
  };
  console.log(JSON.stringify(result, null, 2));
  const failures: string[] = [];
  if (maxSlope !== undefined && !(result.workerRssSlopeMiBPerHour <= maxSlope)) failures.push(`worker RSS slope ${result.workerRssSlopeMiBPerHour} MiB/h is above ${maxSlope}`);
  if (unhandled.length) failures.push(`${unhandled.length} unhandled rejection(s)`);
  if (errors) failures.push(`${errors} request(s) failed`);
  if (failures.length) {
    console.error(`soak: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

void main();
