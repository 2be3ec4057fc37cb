/**
 * The one rule of thumb for what a model takes in memory before node-llama-cpp has measured it (the probe):
 * the file plus a share for the KV caches of two workloads and compute buffers, plus a fixed floor.
 */
const OVERHEAD_SHARE = 0.2;
const OVERHEAD_FIXED = 96 * 1024 * 1024;

export function estimateLoadBytes(fileBytes: number): number {
  return Math.round(fileBytes * (1 + OVERHEAD_SHARE)) + OVERHEAD_FIXED;
}

/**
 * What running out of memory looks like in llama.cpp's log (`std::bad_alloc`, `mmap failed: Cannot allocate
 * memory`, `failed to allocate … buffer`) and in V8's dying words (`heap limit`, `Fatal process out of memory`).
 */
const OUT_OF_MEMORY = /bad_alloc|cannot allocate memory|failed to allocate|out of memory|heap limit|allocation failed|ENOMEM/i;

export function looksOutOfMemory(text: string): boolean {
  return OUT_OF_MEMORY.test(text);
}

/**
 * The one message for a load that ran out of memory, from the worker (llama.cpp failed cleanly) or the host (the
 * worker died of it). Code MODEL_TOO_LARGE: not remembered as a broken file, since free memory changes.
 */
export function outOfMemoryMessage(modelName: string, detail: string): string {
  return `Not enough memory to load ${modelName}: the engine ran out of memory while loading it (${detail}). Close other programs and try again, lower "hearth.contextSize", or choose a smaller (more quantized) model with "Hearth: Choose Model…".`;
}
