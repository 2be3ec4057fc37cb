/**
 * The soaks' arithmetic, shared by the engine-level soak (bench/soak.ts, plain Node) and the extension-host soak
 * (test/soak): memory slopes and latency percentiles.
 *
 * An unload or a model switch ends the worker process and the next request starts a fresh one, so the worker's RSS
 * is a sawtooth, and one line fitted across lifetimes measures where the restarts fall, not a leak. The worker's
 * slope is therefore fitted within each lifetime (samples grouped by pid, each lifetime's warm-up left out while its
 * memory reaches its working size) and pooled: one common slope, each lifetime with its own intercept.
 */

export type Point = [x: number, y: number];

export const MiB = 1024 * 1024;

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Least-squares slope of y over x. */
export function slope(points: Point[]): number {
  return pooledSlope([points]);
}

/**
 * The slope common to several series, each allowed its own level (least squares with one intercept per series):
 * the sums of each series' deviations from its own means, pooled.
 */
export function pooledSlope(series: Point[][]): number {
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

/**
 * The pooled Theil–Sen slope: the median of the slopes between every two points of the same series. A step the
 * allocator takes once (the worker's RSS moves in steps of 1–4 MiB when a buffer or an arena grows) tilts only the
 * pairs that straddle it, where a least-squares line over a minute or two reads it as a trend; a leak, which climbs
 * all along, tilts every pair. Long series are thinned to 600 points (pairs grow with the square).
 */
export function pooledMedianSlope(series: Point[][]): number {
  const slopes: number[] = [];
  for (const all of series) {
    const step = Math.max(1, Math.ceil(all.length / 600));
    const points = all.filter((_, i) => i % step === 0);
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const dx = points[j][0] - points[i][0];
        if (dx > 0) slopes.push((points[j][1] - points[i][1]) / dx);
      }
    }
  }
  if (!slopes.length) return NaN;
  slopes.sort((a, b) => a - b);
  const m = Math.floor(slopes.length / 2);
  return slopes.length % 2 ? slopes[m] : (slopes[m - 1] + slopes[m]) / 2;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function latencySummary(values: number[]): { n: number; p50: number; p95: number } {
  return { n: values.length, p50: round(percentile(values, 50)), p95: round(percentile(values, 95)) };
}

/** Handles and requests keeping this process alive (sockets, timers, child processes): a leak shows as a climb. */
export function activeResources(): number {
  return (process as unknown as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo?.().length ?? NaN;
}

/** One reading of one worker: `requests` is the soak's running count of requests, whichever worker served them. */
export interface WorkerReading {
  t: number;
  pid: number | undefined;
  workerRssMiB: number;
  requests: number;
}

export interface Lifetime {
  pid: number;
  seconds: number;
  requests: number;
  steadySamples: number;
  rssMiB: { first: number; steadyFirst: number | undefined; last: number };
  slopeMiBPerHour: number;
}

export interface Warmup {
  /** A lifetime's first requests. */
  requests?: number;
  /** A lifetime's first seconds. */
  seconds?: number;
  /** When each lifetime (by pid) was warm, if the soak knows: a lifetime missing here never was. */
  warmAt?: Map<number, number>;
}

/**
 * The worker RSS slope in MiB/hour pooled over its lifetimes, each without its warm-up (until every bound in
 * `warmup` has passed), and what each lifetime looked like.
 */
export function workerLifetimes(readings: WorkerReading[], warmup: Warmup): { slopeMiBPerHour: number; medianSlopeMiBPerHour: number; lifetimes: Lifetime[] } {
  const byPid = new Map<number, WorkerReading[]>();
  for (const r of readings) if (r.pid !== undefined && r.workerRssMiB > 0) byPid.set(r.pid, [...(byPid.get(r.pid) ?? []), r]);
  const fitted = [...byPid].map(([pid, all]) => {
    const warmAt = warmup.warmAt ? (warmup.warmAt.get(pid) ?? Infinity) : -Infinity;
    const steady = all.filter((s) => s.requests - all[0].requests >= (warmup.requests ?? 0) && s.t - all[0].t >= (warmup.seconds ?? 0) && s.t >= warmAt);
    const points = steady.map((s): Point => [s.t / 3600, s.workerRssMiB]);
    const lifetime: Lifetime = {
      pid, seconds: round(all[all.length - 1].t - all[0].t), requests: all[all.length - 1].requests - all[0].requests, steadySamples: steady.length,
      rssMiB: { first: all[0].workerRssMiB, steadyFirst: steady[0]?.workerRssMiB, last: all[all.length - 1].workerRssMiB },
      slopeMiBPerHour: round(slope(points), 1),
    };
    return { lifetime, points };
  });
  const series = fitted.map((f) => f.points);
  return { slopeMiBPerHour: round(pooledSlope(series), 1), medianSlopeMiBPerHour: round(pooledMedianSlope(series), 1), lifetimes: fitted.map((f) => f.lifetime) };
}
