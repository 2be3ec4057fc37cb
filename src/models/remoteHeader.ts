/**
 * The facts of a remote GGUF before downloading it: the first megabytes (the header: architecture, FIM tokens,
 * chat template) over an HTTP Range request, read by the same bounded reader as local files. The prefix is
 * written to a sparse file as long as the whole model, so the reader's bounds checks see the real file size.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fetchRange } from './fetchRange';
import { ggufFacts, type GgufFacts } from '../common/gguf/ggufFacts';
import { readGgufHeader } from '../common/gguf/ggufHeader';
import type { HttpOptions } from './httpGet';

/** Real headers with 256k-token vocabularies take about 10 MiB. */
export const HEADER_PREFIX_BYTES = 16 * 1024 * 1024;

export async function remoteFacts(url: string, approxSizeBytes: number, options: HttpOptions = {}): Promise<GgufFacts> {
  const prefix = await fetchRange(url, 0, HEADER_PREFIX_BYTES - 1, options);
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'hearth-header-'));
  const file = path.join(dir, 'header.gguf');
  try {
    await fs.promises.writeFile(file, prefix);
    // A published size is often rounded: leave room so the last tensor's offset still lies inside.
    const size = Math.max(prefix.length, Math.ceil(approxSizeBytes * 1.1));
    if (size > prefix.length) await fs.promises.truncate(file, size);
    return ggufFacts(await readGgufHeader(file, { signal: options.signal, maxHeaderBytes: prefix.length }));
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
