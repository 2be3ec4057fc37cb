/**
 * Byte sizes of ggml tensor types, to tell from a GGUF header alone whether the file holds all its tensor data
 * (a truncated download otherwise fails deep inside llama.cpp with a message no user can act on).
 * Types missing here are skipped by the check rather than guessed.
 */

/** [elements per block, bytes per block], indexed by ggml type id. */
const BLOCKS: Record<number, readonly [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
};

export interface TensorExtent {
  ggmlType: number;
  dimensions: readonly (number | bigint)[];
  fileOffset: number | bigint;
}

/** Bytes a tensor occupies, or undefined for a type this table does not know. */
export function tensorBytes(tensor: Pick<TensorExtent, 'ggmlType' | 'dimensions'>): number | undefined {
  const block = BLOCKS[tensor.ggmlType];
  if (!block) return undefined;
  const elements = tensor.dimensions.reduce<number>((n, d) => n * Number(d), 1);
  return Math.ceil(elements / block[0]) * block[1];
}

/** The file offset where the last known tensor's data ends: a file shorter than this is truncated. */
export function expectedDataEnd(tensors: readonly TensorExtent[]): number {
  let end = 0;
  for (const t of tensors) {
    const bytes = tensorBytes(t);
    if (bytes === undefined) continue;
    end = Math.max(end, Number(t.fileOffset) + bytes);
  }
  return end;
}

/**
 * Memory the model needs on a CPU: Q4-style weights are repacked on x86 and take ~1.8× the file size
 * (measured: 470 MiB resident for a 262 MiB Q4_0 file), plus an f16 KV cache for every context cell.
 */
export function estimateMemoryBytes(args: {
  fileSize: number;
  contextCells: number;
  layers: number;
  embedding: number;
  heads: number;
  kvHeads: number;
}): number {
  const kvWidth = args.heads > 0 ? (args.embedding * args.kvHeads) / args.heads : args.embedding;
  const kvCache = 2 /* K and V */ * args.layers * args.contextCells * kvWidth * 2; /* f16 */
  const overhead = 64 * 1024 * 1024; // runtime, compute buffers
  return Math.round(args.fileSize * 1.8 + kvCache + overhead);
}
