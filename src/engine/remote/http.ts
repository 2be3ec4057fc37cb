/**
 * One HTTP exchange with a remote engine server, with the guarantees an editor needs: a connect timeout apart
 * from the read timeout, a read (stall) timeout that covers the wait for the answer and every gap inside a
 * stream, cancellation by AbortSignal that closes the socket at once (llama-server stops generating for a
 * closed connection), and failures as EngineErrors that say what to do.
 *
 * Why node:http/https and not the global fetch (undici): llama-server sends its response headers only once
 * the prompt is evaluated and the first token exists, so "time to headers" is model time, not network time;
 * telling a dead host from a busy server needs the socket's own connect event, which fetch does not expose
 * (undici's connect timeout is only settable through its Agent, which Node does not export). A keep-alive agent
 * per engine also makes "two windows" two connection pools, as two VS Code windows are. VS Code's proxy support
 * patches http/https (fetch only in recent versions), the same reason src/models/httpGet.ts gives.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { CancelledError, EngineError } from '../../common/errors';

export interface ExchangeOptions {
  method: 'GET' | 'POST';
  /** JSON body for POST. */
  body?: unknown;
  headers: Record<string, string>;
  signal?: AbortSignal;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  agent: http.Agent;
}

/** An open response; `failure()` is why it was cut (timeout, cancel), read when its body stops early. */
export interface Exchange {
  response: http.IncomingMessage;
  failure(): Error | undefined;
  /** Closes the connection (a generation the caller no longer needs stops on the server). */
  close(): void;
}

/** The address a message names: the origin, no path or credentials. */
export function serverLabel(url: URL): string {
  return url.origin;
}

function networkError(error: NodeJS.ErrnoException, url: URL): EngineError {
  const where = serverLabel(url);
  switch (error.code) {
    case 'ECONNREFUSED':
      return new EngineError('REMOTE_UNREACHABLE', `The server at ${where} refused the connection: is it running, and is hearth.remote.url right?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new EngineError('REMOTE_UNREACHABLE', `The server ${url.hostname} was not found (${error.code}): check hearth.remote.url.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new EngineError('REMOTE_UNREACHABLE', `The server at ${where} cannot be reached from this machine (${error.code}).`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new EngineError('REMOTE_STREAM', `The connection to ${where} was closed before it answered (did the server stop?).`);
    default:
      if (/CERT|SSL|TLS/i.test(error.code ?? '') || /certificate/i.test(error.message)) {
        return new EngineError('REMOTE_UNREACHABLE', `The TLS connection to ${where} failed: ${error.message}.`);
      }
      return new EngineError('REMOTE_UNREACHABLE', `Could not talk to ${where}: ${error.message}.`);
  }
}

/** A kept-alive connection the server closed meanwhile (llama-server drops idle ones after 5 s) fails like this. */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * Sends one request; resolves with the response once its headers arrive (any status), rejects on network failure.
 * A request that failed on a reused connection before any answer is sent once more on a new one: the server
 * closed the idle connection as the request went out, and it never saw the request.
 */
export function exchange(url: URL, options: ExchangeOptions, retried = false): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new CancelledError('cancel'));
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json, text/event-stream', 'accept-encoding': 'identity', 'user-agent': 'hearth', ...options.headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const lib = url.protocol === 'https:' ? https : http;
    const request = lib.request(url, { method: options.method, headers, agent: options.agent });
    let failure: Error | undefined;
    let connectTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const cut = (error: Error) => {
      failure ??= error;
      if (connectTimer) clearTimeout(connectTimer);
      request.destroy();
      if (!settled) {
        settled = true;
        reject(failure);
      }
    };
    const onAbort = () => cut(new CancelledError('cancel'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const detach = () => options.signal?.removeEventListener('abort', onAbort);
    request.on('socket', (socket) => {
      if (!socket.connecting) return; // a kept-alive connection
      connectTimer = setTimeout(() => {
        cut(new EngineError('REMOTE_UNREACHABLE', `The server at ${serverLabel(url)} did not accept a connection within ${Math.round(options.connectTimeoutMs / 1000)} s: is the address right and the host up?`));
      }, options.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    // Socket inactivity: while the server evaluates the prompt and between streamed chunks.
    request.setTimeout(options.readTimeoutMs, () => {
      cut(new EngineError('REMOTE_TIMEOUT', `The server at ${serverLabel(url)} sent nothing for ${Math.round(options.readTimeoutMs / 1000)} s (hearth.remote.readTimeoutSeconds); it may be overloaded.`));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      detach();
      if (connectTimer) clearTimeout(connectTimer);
      // After the headers, a broken connection is the body reader's to report (it knows the answer was cut).
      if (settled) return;
      settled = true;
      if (!failure && !retried && request.reusedSocket && (STALE_SOCKET.has(error.code ?? '') || /socket hang up/.test(error.message))) {
        resolve(exchange(url, options, true));
        return;
      }
      reject(failure ?? networkError(error, url));
    });
    request.on('response', (response) => {
      if (connectTimer) clearTimeout(connectTimer);
      response.on('close', detach);
      settled = true;
      resolve({ response, failure: () => failure, close: () => request.destroy() });
    });
    request.end(body);
  });
}

/** Reads a whole (small) body as text, bounded; the failure that cut it, if any, is thrown. */
export async function readText(ex: Exchange, limit = 4 * 1024 * 1024): Promise<string> {
  ex.response.setEncoding('utf8');
  let text = '';
  try {
    for await (const chunk of ex.response as AsyncIterable<string>) {
      text += chunk;
      if (text.length > limit) {
        ex.close();
        break;
      }
    }
  } catch (error) {
    throw ex.failure() ?? error;
  }
  const failure = ex.failure();
  if (failure) throw failure;
  return text;
}

/** The message inside an error body, whichever shape the server uses (OpenAI, llama-server, Ollama, vLLM). */
export function errorMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = json.error;
    if (typeof error === 'string') return error;
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
    if (typeof json.message === 'string') return json.message;
    if (typeof json.detail === 'string') return json.detail;
  } catch {
    // not JSON: the text itself, shortened
  }
  return text.trim().slice(0, 300) || 'no details';
}

/** The EngineError for a non-2xx answer to `path`. */
export function statusError(status: number, message: string, url: URL, facts: { model: string; hasKey: boolean }): EngineError {
  const where = serverLabel(url);
  const said = `${status}: ${message}`;
  if (status === 401 || status === 403) {
    return new EngineError('REMOTE_AUTH', facts.hasKey
      ? `The server at ${where} refused Hearth's API key (${said}). Run "Hearth: Set Remote API Key" to change it.`
      : `The server at ${where} needs an API key (${said}). Run "Hearth: Set Remote API Key".`);
  }
  const aboutModel = /model/i.test(message) && /not (be )?found|does ?n.t exist|not exist|unknown|no such|not available|invalid|not serv/i.test(message);
  if ((status === 404 || status === 400) && aboutModel) {
    return new EngineError('REMOTE_MODEL', `The server at ${where} does not serve the model "${facts.model}" (${said}). Set hearth.remote.model to a model it serves.`);
  }
  if (status === 404) {
    return new EngineError('REMOTE_CONFIG', `The server at ${where} has no ${url.pathname} (${said}): is hearth.remote.url the address of an OpenAI-compatible server (without /v1)?`);
  }
  if (status >= 500) {
    return new EngineError('REMOTE_SERVER', `The server at ${where} failed (${said}).`);
  }
  return new EngineError('REMOTE_SERVER', `The server at ${where} rejected the request (${said}).`);
}
