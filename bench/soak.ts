/**
 * Soak: minutes of mixed work against the real engine (completions as typing would send them, chat turns, a
 * selection-action-sized rewrite prompt, token counts, and an unload every --unload-seconds standing in for an idle
 * unload and reload) while the worker's RSS, this process's heap and handles, and the latency are sampled. Prints
 * JSON with the samples, the memory slopes in MiB/hour and latency percentiles.
 *
 * An unload ends the worker process and the next request starts a fresh one, so the worker's RSS is a sawtooth and
 * one line fitted across unloads measures where the unloads fall, not a leak. The worker's slope is therefore fitted
 * within each worker lifetime (samples grouped by pid, each lifetime's first --warmup-requests left out while its
 * memory reaches its working size) and pooled: one common slope, each lifetime with its own intercept. The host outlives the unloads, so
 * its heap is fitted over the whole run after warm-up.
 *
 * With --max-slope it exits 1 when the pooled worker RSS slope is above it; any failed request or unhandled rejection
 * fails it too. It ends with "soak: N passed, N failed" over those checks (test/run-all.sh's `soak` stage);
 * --out FILE writes the JSON there instead of to stdout.
 *
 *   node esbuild.mjs && node dist/bench/soak.js [--minutes 3] [--model PATH] [--max-slope MIB_PER_HOUR]
 *     [--sample-seconds 1] [--unload-seconds <a third of the run>] [--unloads N] [--warmup-requests 2000] [--out FILE]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultEngineConfig } from '../src/engine/config';
import { WorkerEngine } from '../src/engine/workerEngine';
import { fimChatModel, workerPath } from '../test/support/paths';
import { quietLog } from '../test/support/realEngine';
import { parseArgs, round } from './args';

const args = parseArgs(process.argv.slice(2));
const minutes = Number(args.minutes ?? 3);
const sampleMs = Number(args['sample-seconds'] ?? 1) * 1000;
const unloadMs = Number(args['unload-seconds'] ?? (minutes * 60) / 3) * 1000;
/** Unloads stop after this many (CI: one early unload, then a lifetime long enough to fit). */
const maxUnloads = Number(args.unloads ?? Infinity);
/**
 * A fresh worker's RSS climbs for its first ~1,300–2,000 requests (134 → 142.7 MiB in 80 s on this 2-core machine,
 * then 143.5 after six minutes: V8's heap and malloc's arenas reaching their working size). The climb follows the
 * work, not the clock, so a lifetime's warm-up is counted in requests: a slow machine does not turn it into a trend.
 */
const warmupRequests = Number(args['warmup-requests'] ?? 2000);
const maxSlope = args['max-slope'] === undefined ? undefined : Number(args['max-slope']);
const outFile = typeof args.out === 'string' ? args.out : undefined;
const modelPath = path.resolve(String(args.model ?? fimChatModel));
/** The host's heap: samples in the first share of the run are warm-up (caches fill, the allocator settles). */
const WARMUP_SHARE = 0.2;
const MiB = 1024 * 1024;

type Point = [x: number, y: number];

/** Least-squares slope of y over x. */
function slope(points: Point[]): number {
  return pooledSlope([points]);
}

/**
 * The slope common to several series, each allowed its own level (least squares with one intercept per series):
 * the sums of each series' deviations from its own means, pooled.
 */
function pooledSlope(series: Point[][]): number {
  let num = 0;
  let den = 0;
  let n = 0;
  for (const points of series) {
    if (points.length < 2) continue;
    const mx = points.reduce((s, [x]) => s + x, 0) / points.length;
    const my = points.reduce((s, [, y]) => s + y, 0) / points.length;
    for (const [x, y] of points) {
      num += (x - mx) * (y - my);
      den += (x - mx) ** 2;
    }
    n += points.length;
  }
  if (n < 2) return NaN;
  return den === 0 ? 0 : num / den;
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Handles and requests keeping this process alive (sockets, timers, child processes): a leak shows as a climb. */
function activeResources(): number {
  return (process as unknown as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo?.().length ?? NaN;
}

const CODE = 'function fibonacci(n) {\n  if (n < 2) return n;\n  return fibonacci(n - 1) + fibonacci(n - 2);\n}\n\n';
const PROSE = 'Once upon a time there was a little cat who lived near a big red barn. Every day the cat walked to the park.';

interface Sample {
  t: number;
  pid: number | undefined;
  workerRssMiB: number;
  heapMiB: number;
  handles: number;
  requests: number;
  restarts: number;
}

async function main(): Promise<void> {
  const engine = new WorkerEngine({ workerPath, log: quietLog, config: () => ({ ...defaultEngineConfig, modelPath, threads: 1, contextSize: 2048, idleUnloadMinutes: 0 }) });
  const unhandled: string[] = [];
  process.on('unhandledRejection', (reason) => unhandled.push(String(reason)));
  const latency: Record<string, number[]> = { completion: [], chat: [], action: [], countTokens: [] };
  const samples: Sample[] = [];
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
    samples.push({
      t: (Date.now() - started) / 1000, pid: stats ? engine.workerPid : undefined, workerRssMiB: round((stats?.rssBytes ?? 0) / MiB),
      heapMiB: round(process.memoryUsage().heapUsed / MiB), handles: activeResources(), requests, restarts,
    });
  };
  await engine.modelInfo();
  let nextSample = Date.now();
  let nextUnload = Date.now() + unloadMs;
  try {
    for (let round_ = 0; Date.now() < end; round_++) {
      // Typing: a completion per keystroke over a growing prefix, each superseding the last.
      const typed = CODE.slice(0, 20 + (round_ * 7) % (CODE.length - 20));
      await timed('completion', () => engine.infill(typed, '\n', { maxTokens: 16, maxLines: 1 }));
      if (round_ % 5 === 0) await timed('chat', () => engine.chat([{ role: 'user', content: `Tell me about round ${round_}.` }], { maxTokens: 48 }, {}));
      if (round_ % 7 === 0) await timed('action', () => engine.chat([{ role: 'system', content: 'Rewrite the text.' }, { role: 'user', content: PROSE }], { maxTokens: 64 }));
      if (round_ % 3 === 0) await timed('countTokens', () => engine.countTokens(PROSE + typed));
      // Idle unload and reload, as after hearth.idleUnloadMinutes: the model leaves memory and comes back. By the
      // clock, so that every lifetime is long enough to fit, whatever pace a busy machine allows.
      if (Date.now() >= nextUnload && restarts < maxUnloads) {
        await engine.unload();
        restarts++;
        nextUnload = Date.now() + unloadMs;
      }
      if (Date.now() >= nextSample) {
        await sample();
        // From now, not from the last due time: a stalled round must not be followed by a burst of samples.
        nextSample = Date.now() + sampleMs;
      }
    }
    await sample();
  } finally {
    await engine.stop();
  }

  // The worker's lifetimes, each without its warm-up.
  const lifetimes = new Map<number, Sample[]>();
  for (const s of samples) if (s.pid !== undefined && s.workerRssMiB > 0) lifetimes.set(s.pid, [...(lifetimes.get(s.pid) ?? []), s]);
  const perLifetime = [...lifetimes].map(([pid, all]) => {
    const steady = all.filter((s) => s.requests - all[0].requests >= warmupRequests);
    return {
      pid, seconds: round(all[all.length - 1].t - all[0].t), requests: all[all.length - 1].requests - all[0].requests, steadySamples: steady.length,
      rssMiB: { first: all[0].workerRssMiB, steadyFirst: steady[0]?.workerRssMiB, last: all[all.length - 1].workerRssMiB },
      slopeMiBPerHour: round(slope(steady.map((s) => [s.t / 3600, s.workerRssMiB])), 1),
      points: steady.map((s): Point => [s.t / 3600, s.workerRssMiB]),
    };
  });
  const hostSteady = samples.filter((s) => s.t >= minutes * 60 * WARMUP_SHARE);
  const result = {
    minutes, model: path.basename(modelPath), requests, errors, restarts, unloadSeconds: unloadMs / 1000, warmupRequests,
    unhandledRejections: unhandled,
    workerRssSlopeMiBPerHour: round(pooledSlope(perLifetime.map((l) => l.points)), 1),
    workerLifetimes: perLifetime.map(({ points: _points, ...l }) => l),
    hostHeapSlopeMiBPerHour: round(slope(hostSteady.map((s) => [s.t / 3600, s.heapMiB])), 1),
    hostHandles: { first: samples[0]?.handles, max: Math.max(...samples.map((s) => s.handles)), last: samples[samples.length - 1]?.handles },
    latencyMs: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, { n: v.length, p50: round(percentile(v, 50)), p95: round(percentile(v, 95)) }])),
    samples,
  };
  const json = JSON.stringify(result, null, 2);
  if (outFile) {
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, json);
    const { samples: _samples, ...summary } = result;
    console.log(JSON.stringify(summary, null, 2));
  } else console.log(json);

  const checks: Array<[string, boolean]> = [
    [`worker RSS slope within lifetimes ${result.workerRssSlopeMiBPerHour} MiB/h${maxSlope === undefined ? '' : ` (at most ${maxSlope})`}`, maxSlope === undefined || result.workerRssSlopeMiBPerHour <= maxSlope],
    [`${unhandled.length} unhandled rejection(s)`, unhandled.length === 0],
    [`${errors} of ${requests} request(s) failed`, errors === 0],
    [`${perLifetime.filter((l) => l.steadySamples >= 2).length} worker lifetime(s) with a fit`, perLifetime.some((l) => l.steadySamples >= 2)],
  ];
  for (const [what, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  const failed = checks.filter(([, ok]) => !ok).length;
  console.log(`soak: ${checks.length - failed} passed, ${failed} failed`);
  if (failed) process.exitCode = 1;
}

void main();
