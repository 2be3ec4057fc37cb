/**
 * Speed and time left for a download's progress bar. The speed is measured over the last few seconds, not
 * since the start, so it follows a connection that slows down or recovers.
 */
import { formatBytes } from './diskSpace';

export interface DownloadProgress {
  /** Bytes of the file on disk so far, counting those kept from an earlier attempt. */
  receivedBytes: number;
  /** The whole file's size, when the server said it. */
  totalBytes: number | undefined;
  bytesPerSecond: number;
  /** Undefined until a speed and a total are known. */
  etaSeconds: number | undefined;
}

const WINDOW_MS = 5_000;
/** Samples closer than this merge, so a fast download keeps a few dozen samples, not one per chunk. */
const SAMPLE_MS = 100;

export class ProgressMeter {
  private received: number;
  /** (time, received) samples spanning the last WINDOW_MS, oldest first. */
  private readonly samples: { at: number; bytes: number }[];

  constructor(
    startBytes: number,
    private readonly totalBytes: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.received = startBytes;
    this.samples = [{ at: now(), bytes: startBytes }];
  }

  add(bytes: number): void {
    this.received += bytes;
    const at = this.now();
    const last = this.samples[this.samples.length - 1];
    if (this.samples.length > 1 && at - this.samples[this.samples.length - 2].at < SAMPLE_MS) {
      last.at = at;
      last.bytes = this.received;
    } else {
      this.samples.push({ at, bytes: this.received });
    }
    // Keep one sample at or before the window's start so the window is always fully spanned.
    while (this.samples.length > 2 && this.samples[1].at <= at - WINDOW_MS) this.samples.shift();
  }

  /**
   * The window ends now, not at the last chunk: while a connection is quiet the speed falls (to 0 after the
   * window) and the time left goes away, instead of the last burst's figures standing still on screen.
   */
  snapshot(): DownloadProgress {
    const at = this.now();
    let first = this.samples[0];
    for (const sample of this.samples) if (sample.at <= at - WINDOW_MS) first = sample;
    const seconds = (at - first.at) / 1000;
    const bytesPerSecond = seconds > 0 ? (this.received - first.bytes) / seconds : 0;
    const left = this.totalBytes === undefined ? undefined : Math.max(0, this.totalBytes - this.received);
    const etaSeconds = left === undefined ? undefined : left === 0 ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : undefined;
    return { receivedBytes: this.received, totalBytes: this.totalBytes, bytesPerSecond, etaSeconds };
  }
}

/**
 * The notification's line: size so far and in all, the share done as a number (the bar alone says nothing to a
 * screen reader), speed, time left. `fallbackTotal` is the catalog's size, for a server that sends no length.
 */
export function describeProgress(p: DownloadProgress, fallbackTotal: number): { percent: number; message: string } {
  const total = p.totalBytes ?? fallbackTotal;
  const percent = total > 0 ? Math.min(100, (p.receivedBytes / total) * 100) : 0;
  const eta = p.etaSeconds !== undefined ? `, ${formatEta(p.etaSeconds)} left` : '';
  return { percent, message: `${formatBytes(p.receivedBytes)} of ${formatBytes(total)} (${Math.floor(percent)} %) at ${formatBytes(p.bytesPerSecond)}/s${eta}` };
}

export function formatEta(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
