/**
 * How long to wait after a keystroke before asking the model. A request that cannot finish before the next
 * keystroke only burns CPU the editor could use, but every millisecond waited is added to what the user sees at a
 * pause. So: start at once while the model keeps up with the typing; when it cannot (latency well above the gap
 * between keys), wait about half a typical gap, which lets bursts pass and still answers soon after a pause.
 */

export interface DebounceLimits {
  minMs: number;
  maxMs: number;
}

/** Gaps longer than this are pauses, not typing speed. */
const TYPING_GAP_MS = 1000;
const ALPHA = 0.3;

export class AdaptiveDebounce {
  private intervalEma: number | undefined;
  private latencyEma: number | undefined;
  private lastKeystroke: number | undefined;

  constructor(private readonly limits: () => DebounceLimits) {}

  recordKeystroke(now: number): void {
    if (this.lastKeystroke !== undefined) {
      const gap = now - this.lastKeystroke;
      if (gap > 0 && gap < TYPING_GAP_MS) this.intervalEma = ema(this.intervalEma, gap);
    }
    this.lastKeystroke = now;
  }

  recordLatency(ms: number): void {
    if (ms >= 0) this.latencyEma = ema(this.latencyEma, ms);
  }

  get typingIntervalMs(): number | undefined {
    return this.intervalEma;
  }

  delayMs(): number {
    return debounceDelay(this.intervalEma, this.latencyEma, this.limits());
  }
}

function ema(previous: number | undefined, value: number): number {
  return previous === undefined ? value : previous + ALPHA * (value - previous);
}

export function debounceDelay(intervalMs: number | undefined, latencyMs: number | undefined, limits: DebounceLimits): number {
  const min = Math.max(0, limits.minMs);
  const max = Math.max(min, limits.maxMs);
  if (intervalMs === undefined || latencyMs === undefined) return min;
  if (latencyMs <= 2 * intervalMs) return min;
  return Math.round(Math.min(max, Math.max(min, intervalMs / 2)));
}
