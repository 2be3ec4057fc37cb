/**
 * The few facts about a GGUF model Hearth shows and decides by (which job it suits, how big it is), taken from
 * a header read by `readGgufHeader`. Missing keys leave a fact undefined rather than guessed.
 */
import type { GgufHeader, GgufValue } from './ggufHeader';
import { detectFim, type FimSource } from './ggufFim';

export interface GgufFacts {
  /** general.architecture ('llama', 'qwen2', 'gemma3', …); 'unknown' when the file does not say. */
  architecture: string;
  name?: string;
  /** general.size_label, the publisher's own label ('0.5B', '1.7B'). */
  sizeLabel?: string;
  /** Elements in all tensors. */
  parameters?: number;
  /** general.file_type, llama.cpp's "mostly this quantization" id… */
  fileType?: number;
  /** …and its name (Q4_K_M, Q8_0, F16, …) as node-llama-cpp's GgufFileType names it, without MOSTLY_. */
  quantization?: string;
  /** <architecture>.context_length: the context the model was trained for. */
  contextLength?: number;
  hasChatTemplate: boolean;
  /** All three FIM tokens resolve the way llama.cpp resolves them (see ggufFim). */
  supportsFim: boolean;
  fimSource?: FimSource;
  vocabSize?: number;
}

/**
 * llama.cpp's llama_ftype ids, named as node-llama-cpp 3.21.1's GgufFileType enum names them (ALL_F32 → F32,
 * MOSTLY_Q4_K_M → Q4_K_M). Index = id; ids llama.cpp retired keep their old names.
 */
const FILE_TYPE_NAMES: readonly string[] = [
  'F32', 'F16', 'Q4_0', 'Q4_1', 'Q4_1_SOME_F16', 'Q4_2', 'Q4_3', 'Q8_0', 'Q5_0', 'Q5_1',
  'Q2_K', 'Q3_K_S', 'Q3_K_M', 'Q3_K_L', 'Q4_K_S', 'Q4_K_M', 'Q5_K_S', 'Q5_K_M', 'Q6_K', 'IQ2_XXS',
  'IQ2_XS', 'Q2_K_S', 'IQ3_XS', 'IQ3_XXS', 'IQ1_S', 'IQ4_NL', 'IQ3_S', 'IQ3_M', 'IQ2_S', 'IQ2_M',
  'IQ4_XS', 'IQ1_M', 'BF16', 'Q4_0_4_4', 'Q4_0_4_8', 'Q4_0_8_8', 'TQ1_0', 'TQ2_0', 'MXFP4_MOE', 'NVFP4',
  'Q1_0', 'Q2_0',
];

/** The quantization name of a general.file_type id, or undefined for an id this table does not know. */
export function fileTypeName(id: number): string | undefined {
  // llama.cpp marks a type it guessed rather than read with this bit (LLAMA_FTYPE_GUESSED).
  return FILE_TYPE_NAMES[id & ~1024];
}

export function ggufFacts(header: GgufHeader): GgufFacts {
  const m = header.metadata;
  const architecture = text(m.get('general.architecture')) ?? 'unknown';
  const tokens = m.get('tokenizer.ggml.tokens');
  const vocabSize = typeof tokens === 'object' && 'kind' in tokens ? tokens.length : num(m.get(`${architecture}.vocab_size`));
  const fileType = num(m.get('general.file_type'));
  const template = text(m.get('tokenizer.chat_template'));
  const tokenId = (key: string) => {
    const id = num(m.get(key));
    // llama.cpp ignores ids outside the vocabulary (and -1, stored as u32 0xFFFFFFFF, means "none").
    return id !== undefined && id >= 0 && id !== 0xffffffff && (vocabSize === undefined || id < vocabSize) ? id : undefined;
  };
  const fimSource = detectFim(tokenId, header.tokenTextsFound);
  return {
    architecture,
    name: text(m.get('general.name')),
    sizeLabel: text(m.get('general.size_label')),
    parameters: header.tensorCount > 0 ? header.parameterCount : undefined,
    fileType,
    quantization: fileType === undefined ? undefined : fileTypeName(fileType),
    contextLength: num(m.get(`${architecture}.context_length`)),
    hasChatTemplate: template !== undefined && template.trim().length > 0,
    supportsFim: fimSource !== undefined,
    fimSource,
    vocabSize,
  };
}

function text(v: GgufValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: GgufValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
