/**
 * One GET with the guarantees a model download needs: no socket at all when downloads are forbidden, a connect
 * timeout, a stall timeout that also covers the body, cancellation by signal, and redirects followed by hand
 * (Hugging Face answers 302 to its CDN) so the Range header survives and Authorization never leaves its origin.
 *
 * Why node:http/https rather than ipull (node-llama-cpp's downloader, evaluated at 3.9.5) or global fetch:
 * ipull resumes, reports progress and takes custom headers, but it has no connect or stall timeout (a dead CDN
 * connection hangs forever), takes no AbortSignal, writes 5 MiB chunks over 3 parallel connections in any order
 * (so the sha256 could not be computed while streaming; the file would be read a second time), keeps its resume
 * state in its own `.ipull` format, and bundles to ~370 KB (chalk, lowdb, a CLI) with an optional native module
 * esbuild cannot bundle. Global fetch has no per-request connect timeout, and VS Code's proxy support patches
 * the http/https modules (fetch only in recent versions). Range requests over http/https are short, written once.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { CancelledError } from '../common/errors';
import { downloadsForbidden, DownloadError, errorForNetwork, errorForStatus } from './downloadErrors';

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_REDIRECTS = 10;

/** The options every network call of src/models takes. */
export interface HttpOptions {
  /** Extra request headers, e.g. `Authorization: Bearer <token>`; dropped on a redirect to another origin. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** From opening the socket to being connected. */
  connectTimeoutMs?: number;
  /** Longest silence (no bytes) on a connected socket, waiting for the answer or inside the body. */
  stallTimeoutMs?: number;
  maxRedirects?: number;
  /** hearth.network.allowDownloads; false throws DOWNLOADS_FORBIDDEN before any socket is opened. */
  allowDownloads?: boolean;
}

export interface OpenedResponse {
  response: http.IncomingMessage;
  /** The address that answered, after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `url`, following redirects. Resolves with the response for a 2xx status or one listed in `passStatuses`
 * (its body unread; the timeouts and the signal keep watching it until it closes); rejects with a DownloadError
 * for other statuses and network failures, and with CancelledError when `signal` aborts.
 */
export async function openGet(url: string, options: HttpOptions = {}, passStatuses: readonly number[] = []): Promise<OpenedResponse> {
  if (options.allowDownloads === false) throw downloadsForbidden();
  const headers: Record<string, string> = { 'user-agent': 'hearth', 'accept-encoding': 'identity' };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  let current = parseHttpUrl(url);
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  for (let hop = 0; ; hop++) {
    const response = await requestOnce(current, headers, options);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECTS.has(status) && location) {
      response.destroy();
      if (hop >= maxRedirects) {
        throw new DownloadError('TOO_MANY_REDIRECTS', `More than ${maxRedirects} redirects from ${url}.`, current.href, status);
      }
      const next = parseHttpUrl(new URL(location, current).href);
      if (next.origin !== current.origin) delete headers.authorization;
      current = next;
      continue;
    }
    if ((status >= 200 && status < 300) || passStatuses.includes(status)) return { response, url: current.href };
    response.destroy();
    throw errorForStatus(status, current.href);
  }
}

function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DownloadError('INVALID_REQUEST', `Not a valid download address: ${url}`, url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DownloadError('INVALID_REQUEST', `Only http and https addresses can be downloaded: ${url}`, url);
  }
  return parsed;
}

function requestOnce(url: URL, headers: Record<string, string>, options: HttpOptions): Promise<http.IncomingMessage> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new CancelledError('cancel'));
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).get(url, { headers: { ...headers } });
    let response: http.IncomingMessage | undefined;
    // Before the answer the request carries the failure; after it, the body must, so the reader sees our error
    // rather than a generic "aborted".
    const fail = (error: Error) => (response ? response.destroy(error) : request.destroy(error));
    const connectTimer = setTimeout(
      () => fail(new DownloadError('CONNECT_TIMEOUT', `Could not connect to ${url.host} within ${connectTimeoutMs / 1000} s. Check your connection or proxy.`, url.href)),
      connectTimeoutMs,
    );
    const onAbort = () => fail(new CancelledError('cancel'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(connectTimer);
      signal?.removeEventListener('abort', onAbort);
    };
    request.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', () => clearTimeout(connectTimer));
      else clearTimeout(connectTimer);
    });
    request.setTimeout(stallTimeoutMs, () =>
      fail(new DownloadError('STALLED', `${url.host} sent nothing for ${stallTimeoutMs / 1000} s. Download again to resume where it stopped.`, url.href)),
    );
    request.on('error', (error) => {
      cleanup();
      reject(errorForNetwork(error, url.href));
    });
    request.on('response', (res) => {
      response = res;
      clearTimeout(connectTimer);
      res.once('close', cleanup);
      // The caller may await other things (a disk check) before reading; a stall or cancel in that gap must
      // not be an unhandled 'error' event. The caller's reader still sees the error: the stream stays errored.
      res.on('error', () => undefined);
      resolve(res);
    });
  });
}

/**
 * Feeds a response body to `onChunk` one chunk at a time (awaiting it: backpressure); network failures become
 * DownloadErrors. `onChunk` returning 'stop' ends the read early and closes the response.
 */
export async function readBody(response: http.IncomingMessage, url: string, onChunk: (chunk: Buffer) => Promise<'stop' | void> | 'stop' | void): Promise<void> {
  const chunks: AsyncIterator<Buffer> = response[Symbol.asyncIterator]();
  for (;;) {
    const next = await chunks.next().catch((e) => Promise.reject(errorForNetwork(e, url)));
    if (next.done) return;
    let verdict: 'stop' | void;
    try {
      verdict = await onChunk(next.value);
    } catch (error) {
      response.destroy();
      throw error;
    }
    if (verdict === 'stop') {
      response.destroy();
      return;
    }
  }
}
