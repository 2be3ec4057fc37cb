/**
 * Refuses a model path that is not a regular file (a FIFO, a device, a socket) from its stat alone: opening a
 * FIFO for reading blocks until something writes to it, and a device never ends. Both the host (before it
 * spawns a worker) and the worker's file check ask this.
 */
import type { Stats } from 'node:fs';
import { EngineError } from '../errors';

export const CHOOSE_ANOTHER = 'Run "Hearth: Choose Model…" (or "Hearth: Select Model File…") to choose another model.';

/** The error for a path that exists but is neither a regular file nor a folder; undefined otherwise. */
export function notRegularFileError(modelPath: string, stat: Pick<Stats, 'isFile' | 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'>): EngineError | undefined {
  if (stat.isFile() || stat.isDirectory()) return undefined;
  const kind = stat.isFIFO() ? 'a named pipe' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'not a plain file';
  return new EngineError('MODEL_NOT_GGUF', `${modelPath} is not a regular file (it is ${kind}), so it cannot be a model. ${CHOOSE_ANOTHER}`);
}
