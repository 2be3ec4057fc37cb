/**
 * The one rule of thumb for what a model takes in memory before node-llama-cpp has measured it (the probe):
 * the file plus a share for the KV caches of two workloads and compute buffers, plus a fixed floor.
 */
const OVERHEAD_SHARE = 0.2;
const OVERHEAD_FIXED = 96 * 1024 * 1024;

export function estimateLoadBytes(fileBytes: number): number {
  return Math.round(fileBytes * (1 + OVERHEAD_SHARE)) + OVERHEAD_FIXED;
}
