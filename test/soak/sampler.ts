/**
 * Once a second: each worker's RSS (VmRSS from /proc, so sampling sends the worker nothing), the extension host's
 * heap, RSS and active handles, and the soak's running count of model requests.
 *
 * The host's heapUsed is a GC sawtooth whose teeth are MiBs and tens of seconds wide: a line fitted over two minutes
 * of it says where the collections fell. So every fifth sample also takes the heap right after a forced full
 * collection (`retainedHeapMiB`), which moves only when something is kept. Of what is kept, V8's compiled code and
 * bytecode (its code and trusted spaces) grow for minutes as the JIT warms up: a heap snapshot diff over three
 * minutes of this soak found 1.2 of the 1.4 MB it grew there. The host's slope is fitted on the rest
 * (`retainedDataHeapMiB`): the objects and strings a leak would keep.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { activeResources, MiB, round } from '../support/soakStats';

export interface HostSample {
  t: number;
  workers: Array<{ pid: number; rssMiB: number }>;
  heapMiB: number;
  rssMiB: number;
  retainedHeapMiB?: number;
  retainedDataHeapMiB?: number;
  handles: number;
  requests: number;
}

/** V8's gc(), which the extension host does not expose: the flag is read when a new context is made. */
function forcedGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

function vmRssMiB(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? round(Number(kb[1]) / 1024, 2) : undefined;
  } catch {
    return undefined; // exited between the pid read and the file read
  }
}

export class Sampler {
  readonly samples: HostSample[] = [];
  readonly gcAvailable: boolean;
  private readonly gc = forcedGc();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly started = Date.now();

  constructor(private readonly pids: () => Array<number | undefined>, private readonly requests: () => number, private readonly everyMs = 1000) {
    this.gcAvailable = this.gc !== undefined;
  }

  /** Seconds since the sampler was made: the clock of the samples and the latencies. */
  now(): number {
    return (Date.now() - this.started) / 1000;
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const workers = [...new Set(this.pids().filter((p): p is number => p !== undefined))]
      .map((pid) => ({ pid, rssMiB: vmRssMiB(pid) }))
      .filter((w): w is { pid: number; rssMiB: number } => w.rssMiB !== undefined);
    let retainedHeapMiB: number | undefined;
    let retainedDataHeapMiB: number | undefined;
    if (this.gc && this.samples.length % 5 === 0) {
      this.gc();
      const spaces = v8.getHeapSpaceStatistics();
      retainedHeapMiB = round(spaces.reduce((s, x) => s + x.space_used_size, 0) / MiB, 2);
      retainedDataHeapMiB = round(spaces.filter((x) => !/code|trusted/.test(x.space_name)).reduce((s, x) => s + x.space_used_size, 0) / MiB, 2);
    }
    const mem = process.memoryUsage();
    this.samples.push({
      t: round(this.now(), 2), workers, heapMiB: round(mem.heapUsed / MiB, 2), rssMiB: round(mem.rss / MiB, 2), retainedHeapMiB, retainedDataHeapMiB,
      handles: activeResources(), requests: this.requests(),
    });
  }
}
