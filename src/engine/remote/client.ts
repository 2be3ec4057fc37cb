/**
 * The wire side of the remote engine: what a server is and offers (probed once per connection setting), JSON
 * calls, and streamed answers as parsed events. llama-server is recognised by its /props, which gives the
 * context per slot and the chat template; /infill is probed once. Any other server is spoken to by the OpenAI
 * API alone (Ollama, LM Studio, vLLM). No `vscode` here: the bench and the unit tests use this as the editor does.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { EngineError } from '../../common/errors';
import { exchange, errorMessage, readText, serverLabel, statusError, type Exchange } from './http';
import { fimTemplateFor, type FimSetting, type FimTemplate } from './fim';
import { SseParser } from './sse';

export interface RemoteTarget {
  /** The server's base address, e.g. http://gpu-box:8080 (a trailing /v1 is tolerated). */
  url: string;
  /** The model to ask for; empty: the server's first (with llama-server, its only) model. */
  model: string;
  fim: FimSetting;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** The context assumed when the server does not say (hearth.contextSize). */
  contextSize: number;
}

export type ServerKind = 'llama-server' | 'openai';

export interface ServerFacts {
  kind: ServerKind;
  /** The model name sent with each request and shown to the user. */
  model: string;
  models: string[];
  /** Tokens per request (llama-server: per slot). */
  contextSize: number;
  trainedContextLength: number;
  chatTemplate: boolean;
  /** How fill-in-the-middle is done: llama-server's /infill, a FIM template over /v1/completions, or not at all. */
  infill: 'endpoint' | 'template' | 'none';
  fimTemplate?: FimTemplate;
  probeMs: number;
}

export type Json = Record<string, unknown>;

export function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the configured address; a bad one is a settings error the user fixes. */
export function parseServerUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new EngineError('REMOTE_CONFIG', `hearth.remote.url "${url}" is not a URL; write it as http://host:port or https://host.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new EngineError('REMOTE_CONFIG', `hearth.remote.url must start with http:// or https:// (it is ${parsed.protocol}//…).`);
  }
  parsed.pathname = parsed.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  parsed.search = '';
  parsed.hash = '';
  return parsed;
}

/** Loopback addresses: plain http to them never leaves the machine. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host) || host.endsWith('.localhost');
}

export class RemoteClient {
  readonly base: URL;
  private readonly agent: http.Agent;

  constructor(
    readonly target: RemoteTarget,
    private readonly apiKey: () => Promise<string | undefined>,
  ) {
    this.base = parseServerUrl(target.url);
    // Kept-alive connections: a completion per keystroke must not pay a TCP (and TLS) handshake each time.
    this.agent = this.base.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  }

  get label(): string {
    return serverLabel(this.base);
  }

  private url(path: string): URL {
    const url = new URL(this.base.href);
    url.pathname = `${this.base.pathname.replace(/\/+$/, '')}${path}`;
    return url;
  }

  private async open(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal): Promise<Exchange> {
    const key = await this.apiKey();
    return exchange(this.url(path), {
      method, body, signal, agent: this.agent,
      headers: key ? { authorization: `Bearer ${key}` } : {},
      connectTimeoutMs: this.target.connectTimeoutMs,
      readTimeoutMs: this.target.readTimeoutMs,
    });
  }

  /** The error for a non-2xx answer, its body read for the server's own words. */
  private async failed(ex: Exchange, path: string, model: string): Promise<EngineError> {
    const text = await readText(ex, 64 * 1024).catch(() => '');
    return statusError(ex.response.statusCode ?? 0, errorMessage(text), this.url(path), { model, hasKey: (await this.apiKey()) !== undefined });
  }

  /** One JSON call; `passStatuses` come back to the caller instead of throwing. */
  async json(method: 'GET' | 'POST', path: string, body: unknown, options: { signal?: AbortSignal; model?: string; pass?: readonly number[] } = {}): Promise<{ status: number; body: unknown }> {
    const ex = await this.open(method, path, body, options.signal);
    const status = ex.response.statusCode ?? 0;
    if ((status < 200 || status >= 300) && !options.pass?.includes(status)) throw await this.failed(ex, path, options.model ?? this.target.model);
    const text = await readText(ex);
    if (status < 200 || status >= 300) return { status, body: text };
    try {
      return { status, body: JSON.parse(text) };
    } catch {
      throw new EngineError('REMOTE_STREAM', `The server at ${this.label} answered ${path} with something that is not JSON: ${text.slice(0, 120)}`);
    }
  }

  /**
   * POSTs a streaming request and yields its events. `ended` says whether an event may be the last one (the
   * stream may then close); a stream that closes before such an event, or before OpenAI's `[DONE]`, was cut.
   * Breaking out of the loop closes the connection, which stops the generation on the server.
   */
  async *stream(path: string, body: Json, ended: (event: Json) => boolean, signal: AbortSignal, model: string): AsyncGenerator<Json> {
    const ex = await this.open('POST', path, body, signal);
    // Read to its end, the connection goes back to the pool for the next keystroke; cut short, it is closed.
    let finished = false;
    try {
      const status = ex.response.statusCode ?? 0;
      if (status < 200 || status >= 300) throw await this.failed(ex, path, model);
      const type = String(ex.response.headers['content-type'] ?? '');
      // A server that ignored `stream: true` answers with one JSON document: the whole answer at once.
      if (type.includes('application/json')) {
        const text = await readText(ex);
        let whole: unknown;
        try {
          whole = JSON.parse(text);
        } catch {
          throw this.malformed(text);
        }
        if (!isJson(whole)) throw this.malformed(text);
        finished = true;
        yield whole;
        return;
      }
      const parser = new SseParser();
      let done = false;
      let mayEnd = false;
      ex.response.setEncoding('utf8');
      try {
        for await (const chunk of ex.response as AsyncIterable<string>) {
          for (const data of parser.push(chunk)) {
            if (done) break;
            if (data === '[DONE]') {
              done = true;
              break;
            }
            let event: unknown;
            try {
              event = JSON.parse(data);
            } catch {
              throw this.malformed(data);
            }
            if (!isJson(event)) throw this.malformed(data);
            if (event.error !== undefined) {
              throw new EngineError('REMOTE_SERVER', `The server at ${this.label} stopped with an error: ${errorMessage(JSON.stringify(event))}`);
            }
            mayEnd = ended(event);
            yield event;
          }
        }
      } catch (error) {
        if (error instanceof EngineError) throw error;
        throw ex.failure() ?? new EngineError('REMOTE_STREAM', `The connection to ${this.label} broke in the middle of the answer (${(error as Error).message}); did the server stop?`);
      }
      const failure = ex.failure();
      if (failure) throw failure;
      finished = true;
      if (done) return;
      if (!mayEnd || parser.incomplete) {
        throw new EngineError('REMOTE_STREAM', `The answer from ${this.label} was cut off: the stream ended before its last event (did the server stop?).`);
      }
    } finally {
      if (!finished) ex.close();
    }
  }

  private malformed(data: string): EngineError {
    return new EngineError('REMOTE_STREAM', `The server at ${this.label} sent a malformed stream (not JSON events): ${JSON.stringify(data.slice(0, 120))}`);
  }

  /** What the server is and offers. Throws REMOTE_MODEL when the configured model is not among those it serves. */
  async probe(signal?: AbortSignal): Promise<ServerFacts> {
    const started = performance.now();
    const listed = await this.json('GET', '/v1/models', undefined, { signal, pass: [404, 405] });
    const models: string[] = [];
    let trained = 0;
    const data = isJson(listed.body) && Array.isArray(listed.body.data) ? listed.body.data : [];
    for (const entry of data) {
      if (!isJson(entry)) continue;
      if (typeof entry.id === 'string') models.push(entry.id);
      // llama-server lists aliases beside the id.
      if (Array.isArray(entry.aliases)) for (const alias of entry.aliases) if (typeof alias === 'string') models.push(alias);
      if (isJson(entry.meta) && typeof entry.meta.n_ctx_train === 'number') trained ||= entry.meta.n_ctx_train;
    }
    const wanted = this.target.model.trim();
    if (wanted && models.length > 0 && !models.includes(wanted)) {
      throw new EngineError('REMOTE_MODEL', `The server at ${this.label} does not serve the model "${wanted}"; it serves ${models.map((m) => `"${m}"`).join(', ')}. Set hearth.remote.model to one of them.`);
    }
    const model = wanted || models[0] || 'default';
    const props = await this.json('GET', '/props', undefined, { signal, pass: [404, 405, 501] });
    const llama = props.status === 200 && isJson(props.body) && isJson(props.body.default_generation_settings);
    let contextSize = this.target.contextSize;
    let chatTemplate = true;
    if (llama && isJson(props.body)) {
      const settings = props.body.default_generation_settings as Json;
      if (typeof settings.n_ctx === 'number' && settings.n_ctx > 0) contextSize = settings.n_ctx;
      if (typeof props.body.chat_template === 'string') chatTemplate = props.body.chat_template.length > 0;
    }
    const template = fimTemplateFor(model, this.target.fim);
    let infill: ServerFacts['infill'] = template ? 'template' : 'none';
    if (llama) {
      // One token's worth of /infill says whether the endpoint exists and the model has FIM tokens (501 when not).
      const probe = await this.json('POST', '/infill', { input_prefix: '', input_suffix: '', n_predict: 1, model, cache_prompt: false }, { signal, model, pass: [404, 405, 501] });
      if (probe.status >= 200 && probe.status < 300) infill = 'endpoint';
    }
    return {
      kind: llama ? 'llama-server' : 'openai', model, models, contextSize, trainedContextLength: trained || contextSize, chatTemplate,
      infill, fimTemplate: infill === 'template' ? template : undefined, probeMs: performance.now() - started,
    };
  }

  dispose(): void {
    this.agent.destroy();
  }
}
