/**
 * Checks a model file before llama.cpp touches it, so each way a file can be wrong gets its own actionable
 * message instead of a native abort: missing, a directory, empty, not GGUF, truncated, too big for memory.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GgufFileInfo } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { EngineError } from '../common/errors';
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

/** Sequences the runtime allocates a KV cache for (completion and chat). */
const SEQUENCES = 2;

/**
 * Throws EngineError (a MODEL_* code) for every problem a user can fix by choosing or re-downloading a file. `contextSize` is
 * the requested size per sequence; the runtime caps it at the trained length, and so does the memory estimate.
 */
export async function checkModelFile(
  modelPath: string,
  contextSize: number,
  readGgufFileInfo: (p: string) => Promise<GgufFileInfo>,
  availableMemory: () => number = defaultAvailableMemory,
): Promise<CheckedModelFile> {
  const name = path.basename(modelPath);
  const fix = 'Run "Hearth: Choose Model…" (or "Hearth: Select Model File…") to choose another model.';
  let stat;
  try {
    stat = await fs.stat(modelPath);
  } catch {
    throw new EngineError('MODEL_NOT_FOUND', `The model file ${modelPath} does not exist. ${fix}`);
  }
  if (stat.isDirectory()) throw new EngineError('MODEL_IS_DIRECTORY', `${modelPath} is a folder, not a model file. ${fix}`);
  if (stat.size === 0) throw new EngineError('MODEL_EMPTY', `The model file ${name} is empty (0 bytes); the download may have failed. ${fix}`);

  const handle = await fs.open(modelPath, 'r');
  const magic = Buffer.alloc(4);
  try {
    await handle.read(magic, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (magic.toString('latin1') !== 'GGUF') {
    throw new EngineError('MODEL_NOT_GGUF', `${name} is not a GGUF model file (it does not start with the GGUF signature). Hearth runs llama.cpp models in GGUF format. ${fix}`);
  }

  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(modelPath);
  } catch (error) {
    throw new EngineError('MODEL_TRUNCATED', `The header of ${name} could not be read (${(error as Error).message}); the file is damaged or incomplete. Download it again. ${fix}`);
  }
  // Only this file's tensors: a split model's other parts are separate files.
  const dataEnd = expectedDataEnd((info.fullTensorInfo ?? info.tensorInfo ?? []).filter((t) => (t.filePart ?? 1) === 1));
  if (dataEnd > stat.size) {
    throw new EngineError('MODEL_TRUNCATED', `${name} is incomplete: ${mib(stat.size)} of the ${mib(dataEnd)} its header describes. Download it again. ${fix}`);
  }

  const arch = info.architectureMetadata as {
    context_length?: number; block_count?: number; embedding_length?: number;
    attention?: { head_count?: number | number[]; head_count_kv?: number | number[] };
  };
  const first = (v: number | number[] | undefined) => (Array.isArray(v) ? (v[0] ?? 0) : (v ?? 0));
  const contextCells = Math.min(contextSize, arch.context_length || contextSize) * SEQUENCES;
  const estimate = estimateMemoryBytes({
    fileSize: stat.size,
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
    fileSize: stat.size,
    info,
    architecture: metadata.general?.architecture ?? 'unknown',
    trainedContextLength: arch.context_length ?? 0,
    hasChatTemplate: typeof metadata.tokenizer?.chat_template === 'string' && metadata.tokenizer.chat_template.length > 0,
    estimatedMemoryBytes: estimate,
  };
}

function defaultAvailableMemory(): number {
  const available = (process as { availableMemory?: () => number }).availableMemory?.();
  return available && available > 0 ? available : os.freemem();
}
