/**
 * Downloads one model file so that a half-written file never looks like a model: bytes go to
 * `<fileName>.partial` beside the final name, and the rename happens only once the size and sha256 are right.
 * An interrupted download (cancel, stall, dropped connection, full disk) keeps its partial file; the next call
 * hashes what is there and asks the server for the rest with a Range request. HTTP is Node's own http/https,
 * not ipull (node-llama-cpp's downloader): ipull has no timeouts or AbortSignal and writes chunks out of order,
 * so it could not hash while streaming; httpGet.ts gives the whole comparison.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { sleep } from '../common/abort';
import { CancelledError } from '../common/errors';
import { contentLengthOf, parseContentRange } from './contentRange';
import { ensureFreeSpace, type FreeBytes } from './diskSpace';
import { downloadsForbidden, DownloadError, errorForWrite, isDownloadError } from './downloadErrors';
import { type DownloadProgress, ProgressMeter } from './downloadProgress';
import { openGet, readBody, type HttpOptions } from './httpGet';
import { PartialFile } from './partialFile';

export const PARTIAL_SUFFIX = '.partial';

export interface DownloadRequest extends HttpOptions {
  url: string;
  destDir: string;
  /** A bare file name (no directories); the download is `<destDir>/<fileName>` once verified. */
  fileName: string;
  /** Hex sha256 of the whole file; without it only the size (when known) is checked. */
  expectedSha256?: string;
  expectedSize?: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** Least time between two onProgress calls (the last one, at 100 %, always comes). Default 250 ms. */
  progressIntervalMs?: number;
  /** Free bytes in a folder; defaults to fs.statfs. Tests inject a small disk. */
  freeBytes?: FreeBytes;
  /** How many times a dropped connection is resumed within this call before CONNECTION_LOST. Default 5. */
  resumeRetries?: number;
  /** Wait before resuming a dropped connection, times the retry's number. Default 1000 ms. */
  retryDelayMs?: number;
}

export interface DownloadResult {
  /** The verified file, `<destDir>/<fileName>`. */
  path: string;
  sha256: string;
  sizeBytes: number;
  /** Bytes an earlier call had left in the partial file that this one kept (0: downloaded from the start). */
  resumedFrom: number;
}

export function partialPathOf(destDir: string, fileName: string): string {
  return path.join(destDir, fileName + PARTIAL_SUFFIX);
}

/**
 * Downloads `request.url` to `<destDir>/<fileName>`, resuming a partial file left by an earlier call. Rejects
 * with a DownloadError (see its codes) or, when `signal` aborts, with CancelledError; either way a partial
 * file is kept for a later resume unless its bytes are known to be wrong (HASH_MISMATCH, SIZE_MISMATCH).
 */
export async function downloadModel(request: DownloadRequest): Promise<DownloadResult> {
  if (request.allowDownloads === false) throw downloadsForbidden();
  const { fileName, destDir, signal } = request;
  if (!fileName || fileName !== path.basename(fileName) || fileName === '.' || fileName === '..' || /[\\/]/.test(fileName)) {
    throw new DownloadError('INVALID_REQUEST', `Not a plain file name: ${JSON.stringify(fileName)}`, request.url);
  }
  if (signal?.aborted) throw new CancelledError('cancel');
  await fsp.mkdir(destDir, { recursive: true });
  const partial = await PartialFile.load(partialPathOf(destDir, fileName));
  try {
    if (signal?.aborted) throw new CancelledError('cancel');
    return await download(request, partial);
  } finally {
    await partial.close();
  }
}

/** What the attempts learn along the way. */
interface Transfer {
  resumedFrom: number;
  diskChecked: boolean;
  lastEmitAt: number;
}

async function download(request: DownloadRequest, partial: PartialFile): Promise<DownloadResult> {
  const { expectedSize } = request;
  if (expectedSize !== undefined && partial.size > expectedSize) await partial.discard();
  const transfer: Transfer = { resumedFrom: partial.size, diskChecked: false, lastEmitAt: -Infinity };
  if (expectedSize !== undefined) {
    await ensureFreeSpace(request.destDir, expectedSize - partial.size, request.freeBytes);
    transfer.diskChecked = true;
  }
  const maxRetries = request.resumeRetries ?? 5;
  let retries = 0;
  let restartsLeft = 2;
  while (!(expectedSize !== undefined && partial.size === expectedSize)) {
    try {
      const outcome = await attempt(request, partial, transfer);
      if (outcome === 'complete') break;
      if (restartsLeft-- <= 0) throw new DownloadError('BAD_RESPONSE', `The server at ${request.url} keeps answering with the wrong bytes.`, request.url);
    } catch (error) {
      if (!isDownloadError(error, 'CONNECTION_LOST') || retries >= maxRetries) throw error;
      retries++;
      if (!(await sleep((request.retryDelayMs ?? 1000) * retries, request.signal))) throw new CancelledError('cancel');
    }
  }
  return verifyAndRename(request, partial, transfer);
}

/** One request; 'restart' when the partial file had to be dropped and the next request starts from zero. */
async function attempt(request: DownloadRequest, partial: PartialFile, transfer: Transfer): Promise<'complete' | 'restart'> {
  const offset = partial.size;
  const headers = offset > 0 ? { ...request.headers, range: `bytes=${offset}-` } : request.headers;
  const { response, url } = await openGet(request.url, { ...request, headers }, [416]);
  const range = parseContentRange(response.headers['content-range']);
  const restart = async () => {
    response.destroy();
    await partial.discard();
    transfer.resumedFrom = 0;
    return 'restart' as const;
  };
  if (response.statusCode === 416) {
    // Asked for bytes past the end: either the partial file already is the whole file, or it is too long.
    response.destroy();
    if (offset > 0 && range?.size === offset) return 'complete';
    if (offset === 0) throw new DownloadError('BAD_RESPONSE', `The server refused to send ${url} (HTTP 416).`, url, 416);
    return restart();
  }
  let total: number | undefined;
  if (response.statusCode === 206) {
    if (range?.start !== offset) return restart();
    total = range.size;
  } else {
    // A 200 to a Range request is the whole file from byte 0: the server cannot resume, so neither can we.
    if (offset > 0) {
      await partial.discard();
      transfer.resumedFrom = 0;
    }
    total = contentLengthOf(response);
  }
  if (request.expectedSize !== undefined && total !== undefined && total !== request.expectedSize) {
    response.destroy();
    await partial.discard();
    throw new DownloadError('SIZE_MISMATCH', `The file at ${url} has ${total} bytes, not the expected ${request.expectedSize}: the mirror or the catalog has another version of it.`, url);
  }
  if (!transfer.diskChecked && total !== undefined) {
    try {
      await ensureFreeSpace(request.destDir, total - partial.size, request.freeBytes);
    } catch (error) {
      response.destroy();
      throw error;
    }
    transfer.diskChecked = true;
  }
  const meter = new ProgressMeter(partial.size, total);
  const report = (final: boolean) => {
    const now = Date.now();
    if (!request.onProgress || (!final && now - transfer.lastEmitAt < (request.progressIntervalMs ?? 250))) return;
    transfer.lastEmitAt = now;
    request.onProgress(meter.snapshot());
  };
  // Chunks drive the reports; the ticker also reports while none arrive, so a quiet connection shows its last
  // bytes and a falling speed rather than the figures of its last burst.
  const ticker = request.onProgress ? setInterval(() => report(false), Math.max(100, request.progressIntervalMs ?? 250)) : undefined;
  try {
    await readBody(response, url, async (chunk) => {
      await partial.append(chunk).catch((e) => Promise.reject(errorForWrite(e, request.destDir)));
      meter.add(chunk.length);
      report(false);
    });
  } finally {
    clearInterval(ticker);
  }
  if (total !== undefined && partial.size < total) {
    throw new DownloadError('CONNECTION_LOST', `The connection to ${new URL(url).host} ended early. Download again to resume where it stopped.`, url);
  }
  if (total !== undefined && partial.size > total) return restart();
  report(true);
  return 'complete';
}

async function verifyAndRename(request: DownloadRequest, partial: PartialFile, transfer: Transfer): Promise<DownloadResult> {
  await partial.close();
  const sizeBytes = partial.size;
  const sha256 = partial.sha256();
  const finalPath = path.join(request.destDir, request.fileName);
  if (sizeBytes === 0) throw new DownloadError('BAD_RESPONSE', `The server sent an empty file for ${request.url}.`, request.url);
  if (request.expectedSize !== undefined && sizeBytes !== request.expectedSize) {
    await partial.discard();
    throw new DownloadError('SIZE_MISMATCH', `The download of ${request.fileName} has ${sizeBytes} bytes, not the expected ${request.expectedSize}; it was deleted.`, request.url);
  }
  if (request.expectedSha256 !== undefined && sha256 !== request.expectedSha256.trim().toLowerCase()) {
    await partial.discard();
    throw new DownloadError(
      'HASH_MISMATCH',
      `The download of ${request.fileName} is not the expected file (sha256 ${sha256}, expected ${request.expectedSha256}); it was deleted. Download again; if this repeats, the mirror or the catalog has another version of the file.`,
      request.url,
    );
  }
  await fsp.rename(partial.path, finalPath);
  return { path: finalPath, sha256, sizeBytes, resumedFrom: transfer.resumedFrom };
}
