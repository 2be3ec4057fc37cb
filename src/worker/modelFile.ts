/**
 * Checks a model file before llama.cpp touches it, so each way a file can be wrong gets its own actionable
 * message instead of a native abort or a hang: what headerCheck.ts refuses (not a regular file, empty, not a
 * GGUF llama.cpp can load), then truncated data and too big for memory, from node-llama-cpp's header reader.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { GgufFileInfo } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { EngineError } from '../common/errors';
import { CHOOSE_ANOTHER } from '../common/gguf/fileKind';
import { checkHeader, type HeaderChecked } from './headerCheck';
import { estimateMemoryBytes, expectedDataEnd } from './ggmlTypes';

export interface CheckedModelFile {
  path: string;
  name: string;
  fileSize: number;
  info: GgufFileInfo;
  architecture: string;
  trainedContextLength: number;
  hasChatTemplate: boolean;
  estimatedMemoryBytes: number;
}

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

/** How long reading a header may take at most (a healthy local disk takes milliseconds). */
export const CHECK_TIMEOUT_MS = 15_000;

/** Sequences the runtime allocates a KV cache for (completion and chat). */
const SEQUENCES = 2;

/**
 * Throws EngineError (a MODEL_* code) for every problem a user can fix by choosing or re-downloading a file. `contextSize` is
 * the requested size per sequence; the runtime caps it at the trained length, and so does the memory estimate.
 */
export async function checkModelFile(
  modelPath: string,
  contextSize: number,
  readGgufFileInfo: (p: string, signal: AbortSignal) => Promise<GgufFileInfo>,
  availableMemory: () => number = defaultAvailableMemory,
  /** `header`: checkHeader's answer when the caller already has it (it checks before loading node-llama-cpp). */
  options: { timeoutMs?: number; header?: HeaderChecked } = {},
): Promise<CheckedModelFile> {
  const name = path.basename(modelPath);
  // One deadline for the whole check: the bounded reader is fast on any file, so this only trips on a disk that hangs.
  const checkTimeoutMs = options.timeoutMs ?? CHECK_TIMEOUT_MS;
  const signal = AbortSignal.timeout(checkTimeoutMs);
  const checked = options.header ?? (await checkHeader(modelPath, signal));
  const fileSize = checked.fileSize;

  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(modelPath, signal);
  } catch (error) {
    if (signal.aborted) throw new EngineError('MODEL_LOAD_FAILED', `Reading the header of ${name} took over ${Math.round(checkTimeoutMs / 1000)} s; the file or its disk may be unreadable. ${CHOOSE_ANOTHER}`);
    throw new EngineError('MODEL_TRUNCATED', `The header of ${name} could not be read (${(error as Error).message}); the file is damaged or incomplete. Download it again. ${CHOOSE_ANOTHER}`);
  }
  // Only this file's tensors: a split model's other parts are separate files.
  const dataEnd = expectedDataEnd((info.fullTensorInfo ?? info.tensorInfo ?? []).filter((t) => (t.filePart ?? 1) === 1));
  if (dataEnd > fileSize) {
    throw new EngineError('MODEL_TRUNCATED', `${name} is incomplete: ${mib(fileSize)} of the ${mib(dataEnd)} its header describes. Download it again. ${CHOOSE_ANOTHER}`);
  }

  const arch = info.architectureMetadata as {
    context_length?: number; block_count?: number; embedding_length?: number;
    attention?: { head_count?: number | number[]; head_count_kv?: number | number[] };
  };
  const first = (v: number | number[] | undefined) => (Array.isArray(v) ? (v[0] ?? 0) : (v ?? 0));
  const contextCells = Math.min(contextSize, arch.context_length || contextSize) * SEQUENCES;
  const estimate = estimateMemoryBytes({
    fileSize,
    contextCells,
    layers: arch.block_count ?? 0,
    embedding: arch.embedding_length ?? 0,
    heads: first(arch.attention?.head_count),
    kvHeads: first(arch.attention?.head_count_kv) || first(arch.attention?.head_count),
  });
  const available = availableMemory();
  if (estimate > available) {
    throw new EngineError('MODEL_TOO_LARGE', `${name} needs about ${mib(estimate)} of memory but only ${mib(available)} is available. Close other programs, lower "hearth.contextSize", or choose a smaller (more quantized) model.`);
  }
  const metadata = info.metadata as { general?: { architecture?: string; name?: string }; tokenizer?: { chat_template?: string } };
  return {
    path: modelPath,
    name,
    fileSize,
    info,
    architecture: metadata.general?.architecture ?? checked.architecture,
    trainedContextLength: arch.context_length ?? 0,
    hasChatTemplate: typeof metadata.tokenizer?.chat_template === 'string' && metadata.tokenizer.chat_template.length > 0,
    estimatedMemoryBytes: estimate,
  };
}

function defaultAvailableMemory(): number {
  const available = (process as { availableMemory?: () => number }).availableMemory?.();
  return available && available > 0 ? available : os.freemem();
}
