/**
 * Why a model download failed, as a code the UI can branch on and a message the user can act on. Network and
 * file-system failures arrive as Node errno codes; these turn them into sentences that say what to do next.
 */

export type DownloadErrorCode =
  /** hearth.network.allowDownloads is off: nothing was sent. */
  | 'DOWNLOADS_FORBIDDEN'
  | 'OFFLINE'
  | 'DNS_FAILED'
  | 'CONNECTION_REFUSED'
  | 'CONNECT_TIMEOUT'
  /** No bytes for stallTimeoutMs; the partial file is kept, so downloading again resumes. */
  | 'STALLED'
  /** The connection dropped more often than the downloader retries; the partial file is kept. */
  | 'CONNECTION_LOST'
  | 'TLS_FAILED'
  | 'NETWORK_FAILED'
  /** HTTP 401/403: a gated model (licence not accepted) or a missing/invalid token. */
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'HTTP_STATUS'
  | 'TOO_MANY_REDIRECTS'
  /** The server's answer contradicts itself or the request (e.g. a Content-Range for other bytes). */
  | 'BAD_RESPONSE'
  | 'SIZE_MISMATCH'
  /** The downloaded bytes are not the expected file; the partial file was deleted. */
  | 'HASH_MISMATCH'
  | 'DISK_FULL'
  /** The caller's request is unusable (bad URL, a file name with a path in it). */
  | 'INVALID_REQUEST';

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    /** The address the failure concerns (after redirects), when there is one. */
    readonly url?: string,
    /** The HTTP status, for the HTTP codes. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export function isDownloadError(error: unknown, code?: DownloadErrorCode): error is DownloadError {
  return error instanceof DownloadError && (code === undefined || error.code === code);
}

export const TOKEN_COMMAND_TITLE = 'Hearth: Set Hugging Face Token';
export const BASE_URL_SETTING = 'hearth.models.downloadBaseUrl';
export const ALLOW_DOWNLOADS_SETTING = 'hearth.network.allowDownloads';

export function downloadsForbidden(): DownloadError {
  return new DownloadError(
    'DOWNLOADS_FORBIDDEN',
    `Downloads are turned off (setting ${ALLOW_DOWNLOADS_SETTING}); nothing was sent. Turn it on to fetch models, or place a GGUF file yourself.`,
  );
}

/** The model's page for a `<base>/<repo>/resolve/<rev>/<file>` address: where a gated licence is accepted. */
export function modelPageOf(url: string): string | undefined {
  const at = url.indexOf('/resolve/');
  return at > 0 ? url.slice(0, at) : undefined;
}

/** The error for a final (non-redirect, non-2xx) HTTP status. */
export function errorForStatus(status: number, url: string): DownloadError {
  if (status === 401 || status === 403) {
    const page = modelPageOf(url);
    return new DownloadError(
      'UNAUTHORIZED',
      `The server refused the download (HTTP ${status}) of ${url}. The model may be gated: accept its licence on its Hugging Face page${page ? ` (${page})` : ''}, then set an access token with the "${TOKEN_COMMAND_TITLE}" command.`,
      url,
      status,
    );
  }
  if (status === 404) {
    return new DownloadError(
      'NOT_FOUND',
      `The file is not at ${url} (HTTP 404). If you download through a mirror, check the setting ${BASE_URL_SETTING}.`,
      url,
      status,
    );
  }
  const hint = status >= 500 ? ' The server had a problem; try again later.' : status === 429 ? ' Too many requests; wait a while and try again.' : '';
  return new DownloadError('HTTP_STATUS', `The server answered HTTP ${status} for ${url}.${hint}`, url, status);
}

/** Turns a socket/DNS/TLS failure into a DownloadError; a DownloadError (or a cancellation) passes through. */
export function errorForNetwork(error: unknown, url: string): Error {
  if (!(error instanceof Error) || error instanceof DownloadError || error.name === 'CancelledError') {
    return error instanceof Error ? error : new DownloadError('NETWORK_FAILED', `Download of ${url} failed: ${String(error)}`, url);
  }
  const errno = (error as NodeJS.ErrnoException).code ?? '';
  const host = hostOf(url);
  switch (errno) {
    case 'ENOTFOUND':
      return new DownloadError('DNS_FAILED', `Could not find the server ${host} (DNS lookup failed). Check the address, your connection or your proxy.`, url);
    case 'EAI_AGAIN':
    case 'ENETUNREACH':
    case 'ENETDOWN':
    case 'EHOSTUNREACH':
      return new DownloadError('OFFLINE', `Could not reach ${host}: this computer seems to be offline (${errno}). Connect to the network and try again.`, url);
    case 'ECONNREFUSED':
      return new DownloadError('CONNECTION_REFUSED', `${host} refused the connection. Check the address (and ${BASE_URL_SETTING} if you use a mirror).`, url);
    case 'ETIMEDOUT':
      return new DownloadError('CONNECT_TIMEOUT', `Connecting to ${host} timed out. Check your connection or proxy.`, url);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return new DownloadError('CONNECTION_LOST', `The connection to ${host} dropped. Download again to resume where it stopped.`, url);
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|SIGNATURE/.test(errno)) {
    return new DownloadError('TLS_FAILED', `The secure connection to ${host} failed (${errno}). A company proxy may need its certificate trusted by VS Code.`, url);
  }
  return new DownloadError('NETWORK_FAILED', `Download from ${host} failed: ${error.message}`, url);
}

/** ENOSPC/EDQUOT while writing become DISK_FULL; other file errors pass through unchanged. */
export function errorForWrite(error: unknown, dir: string): unknown {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    return new DownloadError('DISK_FULL', `The disk is full: could not write the model to ${dir}. Free some space and download again; the part already downloaded is kept.`);
  }
  return error;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
