/**
 * The models Hearth knows by name: small GGUF models released for local inference, one or more per job.
 * `completion` wants a base coder trained for fill-in-the-middle; `assistant` wants an instruct model with a
 * chat template. Sizes and hashes are the publisher's, read from the Hugging Face LFS pointers where they could
 * be found; otherwise the hash is pinned on first verified download (trust on first use) and the size is the
 * publisher's rounded figure, marked `sizeApprox`. Nothing here is guessed: unconfirmed details say `verify`.
 */

export type ModelJob = 'completion' | 'assistant';

export interface CatalogEntry {
  /** Stable id, used in settings. */
  id: string;
  jobs: readonly ModelJob[];
  name: string;
  /** Who trained the weights. */
  publisher: string;
  /** Hugging Face repo id holding `file`. */
  repo: string;
  file: string;
  sizeBytes: number;
  /** `sizeBytes` is the publisher's rounded figure (e.g. "1.65 GB"), not the exact byte count. */
  sizeApprox?: true;
  /** Hex SHA-256 of `file`, or null until the first verified download pins it. */
  sha256: string | null;
  /** Where `sha256` comes from: the repo's published LFS metadata, or the first download (then it is null). */
  hashSource: 'publisher' | 'trust-on-first-use';
  /** SPDX id, or the name of the model's own terms. */
  license: string;
  /** The repo requires accepting the publisher's terms on Hugging Face (and a token) before it downloads. */
  gated: boolean;
  /** For gated entries: what the user has to do. */
  access?: string;
  /** Parameter count as the publisher labels it ('0.5B'). */
  parameters: string;
  quantization: string;
  /** Tokens of context the model was trained for. */
  contextLength: number;
  fim: boolean;
  chatTemplate: boolean;
  /** Editorial rank among the entries for the same job: higher answers better (when it fits). */
  quality: number;
  /** One line: why it is in the catalog. */
  why: string;
  /** What could not be confirmed from published metadata and must be checked before shipping. */
  verify?: string;
}

/** No published hash was found: the first download that passes the GGUF checks pins it. */
const TRUST_ON_FIRST_USE = { sha256: null, hashSource: 'trust-on-first-use' } as const;
const QWEN_CODER_BASE_WHY = 'Qwen2.5-Coder base, trained for fill-in-the-middle; the FIM model llama.vscode and llama.vim recommend.';
const GEMMA_ACCESS = 'Accept the Gemma terms on the Hugging Face model page, then sign in with a Hugging Face token.';
// The file names are confirmed by links into Google's repos that others publish (e.g. stduhpf's requantized Gemma 3
// QAT cards link google/gemma-3-{1b,4b}-it-qat-q4_0-gguf/blob/main/gemma-3-{1b,4b}-it-q4_0.gguf, quoting 1 GB and
// 3.16 GB); the byte counts are not, since the repos are gated.
const GEMMA_VERIFY = 'exact size (gated: the repo\'s LFS metadata is not readable without accepting the terms).';

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'qwen2.5-coder-0.5b-base-q8_0',
    jobs: ['completion'],
    name: 'Qwen2.5-Coder 0.5B (base)',
    publisher: 'Qwen (Alibaba Cloud); GGUF by ggml-org',
    repo: 'ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF',
    file: 'qwen2.5-coder-0.5b-q8_0.gguf',
    sizeBytes: 531_000_000,
    sizeApprox: true,
    sha256: 'd0f8cd6c49bab52a0abdbe47948518b1f4d9b1a8a2a6825099cea31cea10ac56',
    hashSource: 'publisher',
    license: 'Apache-2.0',
    gated: false,
    parameters: '0.5B',
    quantization: 'Q8_0',
    contextLength: 32_768,
    fim: true,
    chatTemplate: false,
    quality: 1,
    why: `${QWEN_CODER_BASE_WHY} Fast on any laptop.`,
  },
  {
    id: 'qwen2.5-coder-1.5b-base-q8_0',
    jobs: ['completion'],
    name: 'Qwen2.5-Coder 1.5B (base)',
    publisher: 'Qwen (Alibaba Cloud); GGUF by ggml-org',
    repo: 'ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF',
    file: 'qwen2.5-coder-1.5b-q8_0.gguf',
    sizeBytes: 1_650_000_000,
    sizeApprox: true,
    ...TRUST_ON_FIRST_USE,
    license: 'Apache-2.0',
    gated: false,
    parameters: '1.5B',
    quantization: 'Q8_0',
    contextLength: 32_768,
    fim: true,
    chatTemplate: false,
    quality: 3,
    why: `${QWEN_CODER_BASE_WHY} Noticeably better suggestions than 0.5B where memory allows.`,
  },
  {
    id: 'granite-4.0-1b-base-q4_k_m',
    jobs: ['completion'],
    name: 'Granite 4.0 Nano 1B (base)',
    publisher: 'IBM',
    repo: 'ibm-granite/granite-4.0-1b-base-GGUF',
    file: 'granite-4.0-1b-base-Q4_K_M.gguf',
    sizeBytes: 1_000_000_000,
    sizeApprox: true,
    ...TRUST_ON_FIRST_USE,
    license: 'Apache-2.0',
    gated: false,
    parameters: '1B',
    quantization: 'Q4_K_M',
    contextLength: 131_072,
    fim: true,
    chatTemplate: false,
    quality: 2,
    why: 'A dense 1B base model trained with FIM tokens (<fim_prefix>…) for code completion; Apache-2.0, built for devices.',
    // The repo is referenced by others (download scripts name ibm-granite/granite-4.0-1b-base-GGUF with its
    // granite-4.0-1b-base-bf16.gguf); the Q4_K_M file's name is not. Either architecture a Granite 4.0 GGUF may name
    // loads: the llama.cpp in node-llama-cpp 3.21.1 has both "granite" and "granitehybrid" (src/llama-arch.cpp).
    verify: 'the Q4_K_M file name inside the repo, and its exact size.',
  },
  {
    id: 'smollm2-360m-instruct-q8_0',
    jobs: ['assistant'],
    name: 'SmolLM2 360M Instruct',
    publisher: 'Hugging Face (HuggingFaceTB)',
    repo: 'HuggingFaceTB/SmolLM2-360M-Instruct-GGUF',
    file: 'smollm2-360m-instruct-q8_0.gguf',
    sizeBytes: 386_000_000,
    sizeApprox: true,
    ...TRUST_ON_FIRST_USE,
    license: 'Apache-2.0',
    gated: false,
    parameters: '360M',
    quantization: 'Q8_0',
    contextLength: 8_192,
    fim: false,
    chatTemplate: true,
    quality: 1,
    why: 'The smallest useful chat model: runs anywhere, for short summaries and rewrites.',
  },
  {
    id: 'gemma-3-1b-it-qat-q4_0',
    jobs: ['assistant'],
    name: 'Gemma 3 1B Instruct (QAT)',
    publisher: 'Google',
    repo: 'google/gemma-3-1b-it-qat-q4_0-gguf',
    file: 'gemma-3-1b-it-q4_0.gguf',
    sizeBytes: 1_000_000_000,
    sizeApprox: true,
    ...TRUST_ON_FIRST_USE,
    license: 'Gemma Terms of Use',
    gated: true,
    access: GEMMA_ACCESS,
    parameters: '1B',
    quantization: 'Q4_0',
    contextLength: 32_768,
    fim: false,
    chatTemplate: true,
    quality: 2,
    why: 'Quantization-aware trained by Google, so Q4_0 keeps near-bf16 quality at a quarter of the size.',
    verify: GEMMA_VERIFY,
  },
  {
    id: 'smollm2-1.7b-instruct-q4_k_m',
    jobs: ['assistant'],
    name: 'SmolLM2 1.7B Instruct',
    publisher: 'Hugging Face (HuggingFaceTB)',
    repo: 'HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF',
    file: 'smollm2-1.7b-instruct-q4_k_m.gguf',
    sizeBytes: 1_060_000_000,
    sizeApprox: true,
    ...TRUST_ON_FIRST_USE,
    license: 'Apache-2.0',
    gated: false,
    parameters: '1.7B',
    quantization: 'Q4_K_M',
    contextLength: 8_192,
    fim: false,
    chatTemplate: true,
    quality: 3,
    why: "Hugging Face's own GGUF of its strongest small instruct model; a good default on 8 GB machines.",
  },
  {
    id: 'qwen2.5-coder-1.5b-instruct-q4_k_m',
    jobs: ['assistant'],
    name: 'Qwen2.5-Coder 1.5B Instruct',
    publisher: 'Qwen (Alibaba Cloud)',
    repo: 'Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF',
    file: 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
    sizeBytes: 1_120_000_000,
    sizeApprox: true,
    ...TRUST_ON_FIRST_USE,
    license: 'Apache-2.0',
    gated: false,
    parameters: '1.5B',
    quantization: 'Q4_K_M',
    contextLength: 32_768,
    fim: false,
    chatTemplate: true,
    quality: 4,
    why: "Qwen's own GGUF of its code-tuned instruct model: explains and rewrites code well for its size.",
    verify: 'exact size (Qwen quantizes with its own tensor mix, so other uploaders\' sizes do not apply).',
  },
  {
    id: 'gemma-3-4b-it-qat-q4_0',
    jobs: ['assistant'],
    name: 'Gemma 3 4B Instruct (QAT)',
    publisher: 'Google',
    repo: 'google/gemma-3-4b-it-qat-q4_0-gguf',
    file: 'gemma-3-4b-it-q4_0.gguf',
    sizeBytes: 3_160_000_000,
    sizeApprox: true,
    ...TRUST_ON_FIRST_USE,
    license: 'Gemma Terms of Use',
    gated: true,
    access: GEMMA_ACCESS,
    parameters: '4B',
    quantization: 'Q4_0',
    contextLength: 131_072,
    fim: false,
    chatTemplate: true,
    quality: 5,
    why: 'Quantization-aware trained 4B: the best answers in the catalog that still fit a 16 GB laptop comfortably.',
    verify: GEMMA_VERIFY,
  },
  {
    id: 'phi-4-mini-instruct-q4_k_m',
    jobs: ['assistant'],
    name: 'Phi-4-mini Instruct',
    publisher: 'Microsoft; GGUF by Unsloth',
    repo: 'unsloth/Phi-4-mini-instruct-GGUF',
    file: 'Phi-4-mini-instruct-Q4_K_M.gguf',
    sizeBytes: 2_490_000_000,
    sizeApprox: true,
    ...TRUST_ON_FIRST_USE,
    license: 'MIT',
    gated: false,
    parameters: '3.8B',
    quantization: 'Q4_K_M',
    contextLength: 131_072,
    fim: false,
    chatTemplate: true,
    quality: 6,
    why: 'Strong reasoning and code explanation for 3.8B parameters, MIT licensed; Unsloth\'s GGUF carries a fixed chat template.',
    // Repo and file are confirmed by download URLs others publish (unsloth/Phi-4-mini-instruct-GGUF/resolve/main/
    // Phi-4-mini-instruct-Q4_K_M.gguf); two such catalogs quote 2,491,874,272 bytes, which is not read from the repo's
    // LFS metadata here, so the size stays approximate (a re-upload must not block downloads).
    verify: 'exact size (quoted as 2,491,874,272 bytes by others; Microsoft publishes no GGUF of its own).',
  },
];
