/**
 * How llama.cpp finds a model's fill-in-the-middle tokens, mirrored so Hearth can tell a FIM model from its
 * header alone: first the token ids in metadata (tokenizer.ggml.fim_pre/suf/mid_token_id, or the deprecated
 * prefix/suffix/middle_token_id), then, for a slot still unset, a vocabulary token with a known marker text
 * (llama-vocab.cpp in the llama.cpp that node-llama-cpp 3.21.1 bundles). Qwen2.5-Coder GGUFs, for one, carry no
 * FIM ids and are found by their `<|fim_prefix|>` tokens.
 */

/** Marker texts per slot, as llama.cpp matches them. */
export const FIM_MARKERS = {
  prefix: ['<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<｜fim▁begin｜>', '<PRE>', '▁<PRE>', '<|code_prefix|>', '<|prefix|>'],
  suffix: ['<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<｜fim▁hole｜>', '<SUF>', '▁<SUF>', '<|code_suffix|>', '<|suffix|>'],
  middle: ['<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<｜fim▁end｜>', '<MID>', '▁<MID>', '<|code_middle|>', '<|middle|>'],
} as const;

export const FIM_TOKEN_TEXTS: readonly string[] = [...FIM_MARKERS.prefix, ...FIM_MARKERS.suffix, ...FIM_MARKERS.middle];

/** Metadata keys per slot: the current one first, then the deprecated one llama.cpp still reads. */
export const FIM_KEYS = {
  prefix: ['tokenizer.ggml.fim_pre_token_id', 'tokenizer.ggml.prefix_token_id'],
  suffix: ['tokenizer.ggml.fim_suf_token_id', 'tokenizer.ggml.suffix_token_id'],
  middle: ['tokenizer.ggml.fim_mid_token_id', 'tokenizer.ggml.middle_token_id'],
} as const;

export type FimSource = 'metadata' | 'vocabulary';

/**
 * Whether all three FIM slots resolve, and from where (metadata when every slot came from a key). `tokenId` reads
 * a metadata key as a token id, or undefined when absent or out of the vocabulary (llama.cpp disables those).
 */
export function detectFim(tokenId: (key: string) => number | undefined, tokenTextsFound: ReadonlySet<string>): FimSource | undefined {
  let fromVocabulary = false;
  for (const slot of ['prefix', 'suffix', 'middle'] as const) {
    if (FIM_KEYS[slot].some((key) => tokenId(key) !== undefined)) continue;
    if (!FIM_MARKERS[slot].some((text) => tokenTextsFound.has(text))) return undefined;
    fromVocabulary = true;
  }
  return fromVocabulary ? 'vocabulary' : 'metadata';
}
