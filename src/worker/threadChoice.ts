/** The arithmetic of the "auto" thread choice, pure so it can be tested on recorded measurements. */

export interface ThreadMeasurement {
  threads: number;
  promptTps: number;
  generationTps: number;
}

/**
 * Generation within this fraction of the best counts as "not slower": measurements on a busy laptop vary by
 * several percent, and an extra thread that buys less than this is not worth taking a core from the editor.
 */
const TOLERANCE = 0.08;

export function sizeClassOf(fileSize: number): string {
  const mb = fileSize / 1024 / 1024;
  if (mb < 64) return 'tiny';
  if (mb < 1024) return 'small';
  if (mb < 3072) return 'medium';
  if (mb < 8192) return 'large';
  return 'huge';
}

/** Counts worth measuring: every count up to 4, then a few steps up to the core count. */
export function threadCandidates(cores: number): number[] {
  const out: number[] = [];
  for (let t = 1; t <= cores; t++) {
    if (t <= 4 || t === cores || t === cores - 1 || t % 4 === 0) out.push(t);
  }
  return out;
}

/**
 * Fastest generation wins (generation dominates what a user waits for). Among counts that are not slower
 * than the best, prefer one that leaves a core to the editor, then the faster prompt evaluation.
 */
export function chooseThreads(measurements: readonly ThreadMeasurement[], cores: number): number {
  if (measurements.length === 0) return 1;
  const best = Math.max(...measurements.map((m) => m.generationTps));
  const good = measurements.filter((m) => m.generationTps >= best * (1 - TOLERANCE));
  const sparing = good.filter((m) => m.threads <= Math.max(1, cores - 1));
  const pool = sparing.length > 0 ? sparing : good;
  pool.sort((a, b) => b.promptTps - a.promptTps || a.threads - b.threads);
  return pool[0].threads;
}
