/**
 * Soak: minutes of mixed work against the real engine (completions as typing would send them, chat turns, a
 * selection-action-sized rewrite prompt, token counts, and an unload every --unload-seconds standing in for an idle
 * unload and reload) while the worker's RSS, this process's heap and handles, and the latency are sampled. Prints
 * JSON with the samples, the memory slopes in MiB/hour and latency percentiles.
 *
 * An unload ends the worker process, so the worker's RSS is a sawtooth: its slope is fitted within each worker
 * lifetime after its first --warmup-requests and pooled (test/support/soakStats.ts says why). The host outlives the
 * unloads, so its heap is fitted over the whole run after warm-up.
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
import { activeResources, latencySummary, MiB, round, slope, workerLifetimes } from '../test/support/soakStats';
import { parseArgs } from './args';

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

  const worker = workerLifetimes(samples, { requests: warmupRequests });
  const hostSteady = samples.filter((s) => s.t >= minutes * 60 * WARMUP_SHARE);
  const result = {
    minutes, model: path.basename(modelPath), requests, errors, restarts, unloadSeconds: unloadMs / 1000, warmupRequests,
    unhandledRejections: unhandled,
    workerRssSlopeMiBPerHour: worker.slopeMiBPerHour,
    workerLifetimes: worker.lifetimes,
    hostHeapSlopeMiBPerHour: round(slope(hostSteady.map((s) => [s.t / 3600, s.heapMiB])), 1),
    hostHandles: { first: samples[0]?.handles, max: Math.max(...samples.map((s) => s.handles)), last: samples[samples.length - 1]?.handles },
    latencyMs: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, latencySummary(v)])),
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
    [`${worker.lifetimes.filter((l) => l.steadySamples >= 2).length} worker lifetime(s) with a fit`, worker.lifetimes.some((l) => l.steadySamples >= 2)],
  ];
  for (const [what, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  const failed = checks.filter(([, ok]) => !ok).length;
  console.log(`soak: ${checks.length - failed} passed, ${failed} failed`);
  if (failed) process.exitCode = 1;
}

void main();
