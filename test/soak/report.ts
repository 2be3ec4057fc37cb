/** The soak's JSON: memory slopes with their bounds, latency percentiles overall and per window, and the raw series. */
import { latencySummary, round, slope, workerLifetimes, type Point } from '../support/soakStats';
import type { Sampler } from './sampler';
import type { Kind } from './work';

/**
 * The engine soak's bound (2.4 GB a day, above noise, below any leak worth shipping) for runs long enough to fit it.
 * A 2½-minute run fits a worker's slope over ~100 s after warm-up, where 100 MiB/h is 2.8 MiB: the run under a CPU
 * hog measured 89 and one at load 6 measured −419, so malloc's drift alone comes near it. Short runs get twice the
 * bound: they catch a gross leak; the long run judges the slope.
 */
export const WORKER_RSS_MAX_SLOPE = 100;
export const workerRssMaxSlope = (minutes: number) => (minutes >= 10 ? WORKER_RSS_MAX_SLOPE : 2 * WORKER_RSS_MAX_SLOPE);
export const HOST_HEAP_MAX_SLOPE = 100;
/**
 * The host's warm-up: its first fifth of the run, and at least until the first prime (the first Summarize loads the
 * Markdown extension into this host: 14 MiB kept, once).
 */
const HOST_WARMUP_SHARE = 0.2;

export interface ReportInput {
  minutes: number;
  sampler: Sampler;
  latencies: Array<{ t: number; kind: Kind; ms: number }>;
  events: Array<{ t: number; what: string }>;
  failures: string[];
  unhandled: string[];
  outcomes: Record<string, number>;
  requests: number;
  unloads: string;
  /** Per worker pid: when the soak had run every kind of request in it once (work.ts, prime). */
  warmAt: Map<number, number>;
}

function byKind(latencies: ReportInput['latencies']): Record<string, ReturnType<typeof latencySummary>> {
  const kinds = [...new Set(latencies.map((l) => l.kind))].sort();
  return Object.fromEntries(kinds.map((k) => [k, latencySummary(latencies.filter((l) => l.kind === k).map((l) => l.ms))]));
}

export function buildReport(input: ReportInput) {
  const { minutes, sampler, latencies } = input;
  const samples = sampler.samples;
  const readings = samples.flatMap((s) => s.workers.map((w) => ({ t: s.t, pid: w.pid, workerRssMiB: w.rssMiB, requests: s.requests })));
  const worker = workerLifetimes(readings, { warmAt: input.warmAt });
  const hostWarmFrom = Math.max(minutes * 60 * HOST_WARMUP_SHARE, input.warmAt.size ? Math.min(...input.warmAt.values()) : 0);
  const hostSteady = samples.filter((s) => s.t >= hostWarmFrom);
  const fit = (pick: (s: (typeof samples)[number]) => number | undefined) =>
    round(slope(hostSteady.filter((s) => pick(s) !== undefined).map((s): Point => [s.t / 3600, pick(s)!])), 1);
  const retained = fit((s) => s.retainedDataHeapMiB);
  // Windows of 5 minutes where the run is long enough to have several; quarters of a short run.
  const windowSeconds = minutes >= 20 ? 300 : (minutes * 60) / 4;
  const windows = Array.from({ length: Math.ceil((minutes * 60) / windowSeconds) }, (_, i) => {
    const from = i * windowSeconds;
    const to = from + windowSeconds;
    return { fromS: round(from), toS: round(to), latencyMs: byKind(latencies.filter((l) => l.t >= from && l.t < to)) };
  });
  const handles = samples.map((s) => s.handles);
  return {
    minutes, requests: input.requests, failures: input.failures, unhandledRejections: input.unhandled, outcomes: input.outcomes,
    unloads: input.unloads, events: input.events.map((e) => ({ ...e, t: round(e.t) })),
    // The check reads the median slope (soakStats.ts, pooledMedianSlope); the least-squares one is bench/soak.ts's.
    workerRssSlopeMiBPerHour: worker.medianSlopeMiBPerHour, workerRssLeastSquaresSlopeMiBPerHour: worker.slopeMiBPerHour,
    workerRssMaxSlope: workerRssMaxSlope(input.minutes),
    workerRssMeasure: 'VmRSS every second, the worker collecting its garbage every 5 s (workerGc.cjs); slope: median of pairwise slopes within each lifetime after warm-up',
    workerWarmAt: Object.fromEntries([...input.warmAt].map(([pid, t]) => [pid, round(t)])), workerLifetimes: worker.lifetimes,
    hostWarmFromS: round(hostWarmFrom), hostHeapSlopeMiBPerHour: sampler.gcAvailable ? retained : fit((s) => s.heapMiB),
    hostHeapMeasure: sampler.gcAvailable ? 'heap used after a forced full GC, code and bytecode spaces left out, every 5 s' : 'heapUsed (no forced GC in this host)',
    hostHeapMaxSlope: HOST_HEAP_MAX_SLOPE,
    hostHeapUsedSlopeMiBPerHour: fit((s) => s.heapMiB), hostRetainedHeapWithCodeSlopeMiBPerHour: fit((s) => s.retainedHeapMiB), hostRssSlopeMiBPerHour: fit((s) => s.rssMiB),
    hostHandles: { first: handles[0], max: Math.max(...handles), last: handles.at(-1) },
    latencyMs: byKind(latencies), latencyWindows: windows,
    samples, latencies: latencies.map((l) => ({ ...l, t: round(l.t, 2), ms: round(l.ms, 2) })),
  };
}

export type Report = ReturnType<typeof buildReport>;
