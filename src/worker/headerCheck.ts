/**
 * The first, cheap half of the model file check: what the path is, and whether its GGUF header is one llama.cpp
 * can load, read by Hearth's own bounded reader before node-llama-cpp's reader or llama.cpp sees the file. A
 * header that claims 2^62 tensors or a 3 GiB key must fail here in milliseconds: node-llama-cpp's reader trusts
 * those counts (it reads for ever, or allocates until the worker dies), and llama.cpp aborts the process.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError, isCancelled } from '../common/errors';
import { LLAMA_ARCHITECTURES } from '../common/gguf/architectures';
import { CHOOSE_ANOTHER, notRegularFileError } from '../common/gguf/fileKind';
import { readGgufHeader, type GgufHeader } from '../common/gguf/ggufHeader';

export interface HeaderChecked {
  header: GgufHeader;
  architecture: string;
  fileSize: number;
}

/** Throws EngineError (a MODEL_* code, a message that names the file and the fix) for a file llama.cpp must not see. */
export async function checkHeader(modelPath: string, signal: AbortSignal): Promise<HeaderChecked> {
  const name = path.basename(modelPath);
  let stat;
  try {
    // stat, not open: opening a FIFO for reading blocks until something writes to it.
    stat = await fs.stat(modelPath);
  } catch (error) {
    throw unreadable(modelPath, error);
  }
  if (stat.isDirectory()) throw new EngineError('MODEL_IS_DIRECTORY', `${modelPath} is a folder, not a model file. ${CHOOSE_ANOTHER}`);
  const notRegular = notRegularFileError(modelPath, stat);
  if (notRegular) throw notRegular;
  if (stat.size === 0) throw new EngineError('MODEL_EMPTY', `The model file ${name} is empty (0 bytes); the download may have failed. ${CHOOSE_ANOTHER}`);

  let header: GgufHeader;
  try {
    header = await readGgufHeader(modelPath, { signal });
  } catch (error) {
    if (error instanceof EngineError) throw new EngineError(error.code, `${error.message} ${CHOOSE_ANOTHER}`);
    if (isCancelled(error)) throw new EngineError('MODEL_LOAD_FAILED', `Reading the header of ${name} took too long; the file or its disk may be unreadable. ${CHOOSE_ANOTHER}`);
    throw unreadable(modelPath, error);
  }
  const m = header.metadata;
  const alignment = m.get('general.alignment');
  // gguf.cpp reads the alignment as a u32 power of two and refuses anything else.
  if (alignment !== undefined && !(typeof alignment === 'number' && alignment > 0 && (alignment & (alignment - 1)) === 0)) {
    throw new EngineError('MODEL_NOT_GGUF', `${name} is not a GGUF model file Hearth can read: its general.alignment (${describe(alignment)}) is not a power of two. ${CHOOSE_ANOTHER}`);
  }
  const architecture = m.get('general.architecture');
  if (typeof architecture !== 'string' || architecture.length === 0) {
    throw new EngineError('MODEL_LOAD_FAILED', `${name} does not say which model architecture it is (no general.architecture), so llama.cpp cannot load it. ${CHOOSE_ANOTHER}`);
  }
  if (!LLAMA_ARCHITECTURES.has(architecture)) {
    throw new EngineError('MODEL_LOAD_FAILED', `${name} is a "${architecture.slice(0, 64)}" model, an architecture the llama.cpp in this version of Hearth does not know. Choose a model of a supported architecture (llama, qwen2, gemma3, phi3, …), or update Hearth. ${CHOOSE_ANOTHER}`);
  }
  const tokens = m.get('tokenizer.ggml.tokens');
  if (!(typeof tokens === 'object' && 'kind' in tokens && tokens.itemType === 'string' && tokens.length > 0)) {
    throw new EngineError('MODEL_LOAD_FAILED', `${name} has no vocabulary (no tokenizer.ggml.tokens), so it cannot read or write text; it may be a LoRA adapter, a projector or an incomplete conversion. ${CHOOSE_ANOTHER}`);
  }
  return { header, architecture, fileSize: stat.size };
}

function unreadable(modelPath: string, error: unknown): EngineError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new EngineError('MODEL_NOT_FOUND', `The model file ${modelPath} does not exist. ${CHOOSE_ANOTHER}`);
  if (code === 'ELOOP') return new EngineError('MODEL_NOT_FOUND', `The model file ${modelPath} is a symbolic link that loops back on itself. ${CHOOSE_ANOTHER}`);
  if (code === 'EACCES' || code === 'EPERM') return new EngineError('MODEL_NOT_FOUND', `The model file ${modelPath} cannot be read (permission denied). ${CHOOSE_ANOTHER}`);
  return new EngineError('MODEL_NOT_FOUND', `The model file ${modelPath} cannot be read (${(error as Error).message}). ${CHOOSE_ANOTHER}`);
}

function describe(value: unknown): string {
  return typeof value === 'object' && value !== null ? 'an array' : String(value).slice(0, 32);
}
