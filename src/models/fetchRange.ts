/**
 * Reads a few bytes of a remote file without downloading it: enough of a GGUF header to see the architecture
 * and the FIM tokens before committing to a download of hundreds of megabytes.
 */
import { parseContentRange } from './contentRange';
import { DownloadError } from './downloadErrors';
import { openGet, readBody, type HttpOptions } from './httpGet';

/**
 * Bytes `start` to `end` (both inclusive, as in HTTP) of the file at `url`. Shorter when the file ends
 * first; empty when it ends before `start`. A server that ignores Range and sends the whole file is read only as
 * far as `end`. Throws what downloadModel throws (DownloadError codes, CancelledError).
 */
export async function fetchRange(url: string, start: number, end: number, options: HttpOptions = {}): Promise<Buffer> {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new DownloadError('INVALID_REQUEST', `Not a byte range: ${start}-${end}`, url);
  }
  const headers = { ...options.headers, range: `bytes=${start}-${end}` };
  const { response, url: finalUrl } = await openGet(url, { ...options, headers }, [416]);
  if (response.statusCode === 416) {
    response.destroy();
    return Buffer.alloc(0);
  }
  let skip = 0;
  if (response.statusCode === 206) {
    if (parseContentRange(response.headers['content-range'])?.start !== start) {
      response.destroy();
      throw new DownloadError('BAD_RESPONSE', `The server sent other bytes than bytes ${start}-${end} of ${finalUrl}.`, finalUrl, 206);
    }
  } else {
    skip = start;
  }
  const wanted = end - start + 1;
  const parts: Buffer[] = [];
  let have = 0;
  await readBody(response, finalUrl, (chunk) => {
    const usable = chunk.subarray(Math.min(skip, chunk.length));
    skip -= chunk.length - usable.length;
    const take = usable.subarray(0, wanted - have);
    parts.push(take);
    have += take.length;
    return have >= wanted ? 'stop' : undefined;
  });
  return Buffer.concat(parts, have);
}
