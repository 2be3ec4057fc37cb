/**
 * Whether a model fits this machine, from the memory it needs (the worker's estimate: weights, KV cache and
 * compute buffers) and the machine's memory. Three verdicts, so the UI can recommend, warn, or refuse:
 *
 * - GPU: a model whose need is within 90% of the free VRAM `fits` there; the 10% is for the driver's own
 *   buffers and allocation slack, which estimates leave out. It does not count against RAM.
 * - RAM `fits` when the need is at most half of all RAM and at most 80% of what is free now: VS Code, a browser
 *   and the OS live beside the model, and a model that takes more than half the machine makes it swap as soon
 *   as the user opens something else; the 20% of free memory is room for those to grow.
 * - RAM `tight` when it does not fit comfortably but could: at most 75% of all RAM, so it loads once other
 *   programs close (or loads now, with little room left). Say why, so the user can choose.
 * - `noFit` beyond 75% of all RAM (and not within the free VRAM): the OS and the editor alone need the rest.
 */

export interface MachineMemory {
  totalRam: number;
  /** Memory available now (os.freemem / process.availableMemory). */
  freeRam: number;
  /** The GPU llama.cpp would offload to, when there is one. */
  vram?: { total: number; free: number };
}

export type FitVerdict = 'fits' | 'tight' | 'noFit';

export interface Fit {
  verdict: FitVerdict;
  needBytes: number;
  /** The memory the verdict was judged against: free VRAM when it fits there, otherwise free RAM. */
  availableBytes: number;
  /** One sentence for the user, with the numbers. */
  reason: string;
}

export const GPU_USABLE_SHARE = 0.9;
export const RAM_COMFORT_OF_TOTAL = 0.5;
export const RAM_COMFORT_OF_FREE = 0.8;
export const RAM_LIMIT_OF_TOTAL = 0.75;

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/** The fit of one model needing `needBytes`. */
export function fitModel(needBytes: number, machine: MachineMemory): Fit {
  const vramFree = machine.vram?.free ?? 0;
  if (vramFree > 0 && needBytes <= vramFree * GPU_USABLE_SHARE) {
    return { verdict: 'fits', needBytes, availableBytes: vramFree, reason: `Needs about ${gib(needBytes)}; fits in the GPU's ${gib(vramFree)} free.` };
  }
  return fitRam(needBytes, machine, '');
}

/**
 * The fit of two models loaded at once (the completion and the assistant model). With a GPU, both may go there,
 * or the bigger one there and the other in RAM; otherwise both share RAM.
 */
export function fitsTogether(aBytes: number, bBytes: number, machine: MachineMemory): Fit {
  const needBytes = aBytes + bBytes;
  const vramFree = machine.vram?.free ?? 0;
  const usableVram = vramFree * GPU_USABLE_SHARE;
  if (vramFree > 0 && needBytes <= usableVram) {
    return { verdict: 'fits', needBytes, availableBytes: vramFree, reason: `Both need about ${gib(needBytes)}; they fit in the GPU's ${gib(vramFree)} free.` };
  }
  const [big, small] = aBytes >= bBytes ? [aBytes, bBytes] : [bBytes, aBytes];
  if (vramFree > 0 && big <= usableVram) {
    const rest = fitRam(small, machine, 'with the bigger one on the GPU, ');
    return { ...rest, needBytes, reason: `Both need about ${gib(needBytes)}; ${rest.reason.charAt(0).toLowerCase()}${rest.reason.slice(1)}` };
  }
  return fitRam(needBytes, machine, vramFree > 0 ? 'not on the GPU; ' : '');
}

function fitRam(needBytes: number, machine: MachineMemory, prefix: string): Fit {
  const { totalRam, freeRam } = machine;
  const need = gib(needBytes);
  const base = { needBytes, availableBytes: freeRam };
  if (needBytes <= totalRam * RAM_COMFORT_OF_TOTAL && needBytes <= freeRam * RAM_COMFORT_OF_FREE) {
    return { ...base, verdict: 'fits', reason: lead(prefix, `needs about ${need} of the ${gib(freeRam)} free.`) };
  }
  if (needBytes <= totalRam * RAM_LIMIT_OF_TOTAL) {
    const why = needBytes > freeRam * RAM_COMFORT_OF_FREE
      ? `needs about ${need} but only ${gib(freeRam)} is free now: close other programs first.`
      : `needs about ${need}, more than half of this machine's ${gib(totalRam)}: other programs may slow down.`;
    return { ...base, verdict: 'tight', reason: lead(prefix, why) };
  }
  return { ...base, verdict: 'noFit', reason: lead(prefix, `needs about ${need}, too much for this machine's ${gib(totalRam)} of memory.`) };
}

function lead(prefix: string, sentence: string): string {
  const text = prefix + sentence;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
