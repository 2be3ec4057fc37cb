/** The arithmetic of the "auto" thread choice, pure so it can be tested on recorded measurements. */

export interface ThreadMeasurement {
  threads: number;
  promptTps: number;
  generationTps: number;
}

/** Differences in generation speed below this are measurement noise on a busy laptop. */
const NOISE = 0.04;
/**
 * A core left to the editor is worth up to this much generation speed: measured in a quiet benchmark, the extra
 * thread competes with the extension host and renderer while the user types, and on 2 cores a second thread
 * that looked 11% faster alone made live completion latency 3× worse.
 */
const SPARE_CORE_MARGIN = 0.15;

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
 * Fastest generation wins (generation dominates what a user waits for), except that a count leaving a core to
 * the editor is preferred while it is within SPARE_CORE_MARGIN of the best. Among counts within noise of each
 * other, the faster prompt evaluation wins.
 */
export function chooseThreads(measurements: readonly ThreadMeasurement[], cores: number): number {
  if (measurements.length === 0) return 1;
  const best = Math.max(...measurements.map((m) => m.generationTps));
  const sparing = measurements.filter((m) => m.threads <= Math.max(1, cores - 1) && m.generationTps >= best * (1 - SPARE_CORE_MARGIN));
  const pool = sparing.length > 0 ? sparing : [...measurements];
  const poolBest = Math.max(...pool.map((m) => m.generationTps));
  const close = pool.filter((m) => m.generationTps >= poolBest * (1 - NOISE));
  close.sort((a, b) => b.promptTps - a.promptTps || a.threads - b.threads);
  return close[0].threads;
}

/** A batch thread count must beat the generation count's prompt speed by this much to be worth a busier machine. */
const BATCH_GAIN = 1.25;

/**
 * Threads for prompt evaluation (llama.cpp's batches), which may differ from generation's: prompts scale with
 * cores far better than generation does (pp512 1.9× with a second core against 1.5× or less for tg64 here), and a
 * prompt is a short burst, so the core left to the editor during generation is borrowed only while one runs.
 */
export function chooseBatchThreads(measurements: readonly ThreadMeasurement[], generationThreads: number): number {
  const base = measurements.find((m) => m.threads === generationThreads);
  if (!base) return generationThreads;
  const faster = measurements.filter((m) => m.promptTps >= base.promptTps * BATCH_GAIN);
  if (faster.length === 0) return generationThreads;
  return faster.reduce((a, b) => (b.promptTps > a.promptTps ? b : a)).threads;
}
