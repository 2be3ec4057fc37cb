/**
 * The remote engine: the same InferenceEngine the worker engine is, served by an OpenAI-compatible server
 * (llama.cpp's llama-server, Ollama, LM Studio, vLLM). Completions use llama-server's /infill when the probe
 * found it and a FIM-formatted /v1/completions otherwise; chat streams /v1/chat/completions.
 *
 * What the worker does inside its generation loop is done here on the stream: stop strings (servers stop at
 * them too; checked again because not all hold back a partial one), the line limit and the time budget of a
 * completion end the answer client-side by closing the connection, which stops the generation on the server.
 * A newer completion-lane request supersedes the older ones (newest wins), as in the worker; the server's
 * slots run the rest in parallel. No `vscode` here.
 */
import { raceAbort } from '../../common/abort';
import { Emitter } from '../../common/emitter';
import type { Disposable, EngineState, InferenceEngine, RequestOptions } from '../../common/engine';
import { CancelledError, EngineError } from '../../common/errors';
import type {
  CancelReason, ChatMessage, GenerationResult, GenerationStats, InfillLayout, InfillPrompt, ModelInfo, SamplingOptions, StopReason, WorkerStats, Workload,
} from '../../common/protocol';
import { cutText, partialStopLength } from '../../common/stopText';
import { estimateTokens } from '../../common/text';
import { isJson, parseServerUrl, RemoteClient, type Json, type RemoteTarget, type ServerFacts } from './client';

export interface RemoteLogger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export interface RemoteEngineOptions {
  /** The server and model for this engine's job; undefined when hearth.remote.url is not set. */
  target: () => RemoteTarget | undefined;
  /** The API key for a server (by origin), from SecretStorage; undefined: none. */
  apiKey: (origin: string) => Promise<string | undefined>;
  log: RemoteLogger;
}

/** How one endpoint's stream events are read. */
interface Dialect {
  text(event: Json): string | undefined;
  /** The event may be the stream's last (the answer is complete). */
  ended(event: Json): boolean;
  stopReason(event: Json): StopReason | undefined;
}

const first = (event: Json): Json | undefined => (Array.isArray(event.choices) && isJson(event.choices[0]) ? event.choices[0] : undefined);
const finishReason = (event: Json): StopReason | undefined => {
  const reason = first(event)?.finish_reason;
  return reason === 'length' ? 'maxTokens' : typeof reason === 'string' ? 'eos' : undefined;
};

/** llama-server's own /infill and /completion events: `content`, and `stop: true` on the last. */
const NATIVE: Dialect = {
  text: (e) => (typeof e.content === 'string' ? e.content : undefined),
  ended: (e) => e.stop === true,
  stopReason: (e) => (e.stop !== true ? undefined : e.stop_type === 'limit' ? 'maxTokens' : e.stop_type === 'word' ? 'stop' : 'eos'),
};
const COMPLETIONS: Dialect = {
  text: (e) => (typeof first(e)?.text === 'string' ? (first(e)!.text as string) : undefined),
  ended: (e) => finishReason(e) !== undefined,
  stopReason: finishReason,
};
const CHAT: Dialect = {
  text: (e) => {
    const choice = first(e);
    const content = isJson(choice?.delta) ? choice.delta.content : isJson(choice?.message) ? choice.message.content : undefined;
    return typeof content === 'string' ? content : undefined;
  },
  ended: (e) => finishReason(e) !== undefined,
  stopReason: finishReason,
};

interface Timings {
  cache_n?: number;
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

interface Running {
  controller: AbortController;
  completionLane: boolean;
}

type RequestKind = 'complete' | 'infill' | 'chat' | 'prefill';

export class RemoteEngine implements InferenceEngine {
  private client: { key: string; client: RemoteClient } | undefined;
  private facts: Promise<ServerFacts> | undefined;
  private known: ServerFacts | undefined;
  private readonly running = new Set<Running>();
  private readonly changed = new Emitter<EngineState>();
  private current: EngineState;
  private readonly counters: Omit<WorkerStats, 'rssBytes' | 'peakRssBytes' | 'uptimeMs' | 'model'> = { requests: {}, cancelled: 0, totalEvaluatedTokens: 0, totalGeneratedTokens: 0 };
  private readonly started = performance.now();
  private disposed = false;

  constructor(private readonly options: RemoteEngineOptions) {
    this.current = this.restingState();
  }

  get state(): EngineState {
    return this.current;
  }

  get loadedModel(): ModelInfo | undefined {
    return this.known && this.client ? this.info(this.known, this.client.client) : undefined;
  }

  onDidChangeState(listener: (state: EngineState) => void): Disposable {
    return this.changed.event(listener);
  }

  /** Settings changed: another server or model means probing again (and stopping what the old one was doing). */
  configurationChanged(): void {
    const target = this.options.target();
    if (this.client && this.client.key !== JSON.stringify(target)) this.reset();
    this.setState(this.restingState());
  }

  complete(prompt: string, sampling: SamplingOptions, options: RequestOptions & { workload?: Workload } = {}): Promise<GenerationResult> {
    const workload = options.workload ?? 'completion';
    return this.run('complete', workload === 'completion', options, (client, facts, signal, onText) =>
      this.generate(client, facts, '/v1/completions', this.openAiBody(facts, sampling, { prompt }), COMPLETIONS, sampling, [], signal, onText));
  }

  infill(prefix: string, suffix: string, sampling: SamplingOptions, options: RequestOptions & { layout?: InfillLayout } = {}): Promise<GenerationResult> {
    return this.run('infill', true, options, (client, facts, signal, onText) => {
      if (facts.infill === 'endpoint') {
        // The layout is the server's (--spm-infill); its own prompt format also lets it reuse its cache.
        return this.generate(client, facts, '/infill', this.nativeBody(facts, sampling, { input_prefix: prefix, input_suffix: suffix, input_extra: [] }), NATIVE, sampling, [], signal, onText);
      }
      if (facts.infill === 'template' && facts.fimTemplate) {
        const template = facts.fimTemplate;
        return this.generate(client, facts, '/v1/completions', this.openAiBody(facts, sampling, { prompt: template.format(prefix, suffix) }, template.stop), COMPLETIONS, sampling, template.stop, signal, onText);
      }
      throw new EngineError('NO_INFILL', `${facts.model} on ${client.label} has no fill-in-the-middle support Hearth knows (set hearth.remote.fimTemplate if it is a FIM model); using plain completion.`);
    });
  }

  chat(messages: ChatMessage[], sampling: SamplingOptions, options: RequestOptions = {}): Promise<GenerationResult> {
    return this.run('chat', false, options, (client, facts, signal, onText) =>
      this.generate(client, facts, '/v1/chat/completions', this.openAiBody(facts, sampling, { messages }), CHAT, sampling, [], signal, onText));
  }

  /**
   * Warms llama-server's cache with a prompt (evaluated, nothing generated); its slot keeps it for the next
   * request with the same prefix. Other servers have no such call: nothing is sent.
   */
  async prefill(prompt: string | InfillPrompt, workload: Workload, options: RequestOptions = {}): Promise<GenerationStats> {
    const result = await this.run('prefill', workload === 'completion', options, async (client, facts, signal) => {
      const started = performance.now();
      const none: GenerationStats = { promptTokens: 0, evaluatedTokens: 0, reusedTokens: 0, generatedTokens: 0, promptMs: 0, generationMs: 0, totalMs: 0, truncatedTokens: 0 };
      if (facts.kind !== 'llama-server') return { text: '', stopReason: 'maxTokens' as const, stats: none, model: facts.model };
      const path = typeof prompt === 'string' ? '/completion' : '/infill';
      if (path === '/infill' && facts.infill !== 'endpoint') return { text: '', stopReason: 'maxTokens' as const, stats: none, model: facts.model };
      const body = typeof prompt === 'string'
        ? { prompt, n_predict: 0, cache_prompt: true, model: facts.model }
        : { input_prefix: prompt.prefix, input_suffix: prompt.suffix, input_extra: [], n_predict: 0, cache_prompt: true, model: facts.model };
      const answer = await client.json('POST', path, body, { signal, model: facts.model });
      const timings = isJson(answer.body) && isJson(answer.body.timings) ? (answer.body.timings as Timings) : {};
      const stats = this.statsFrom(timings, undefined, 0, started, performance.now(), performance.now(), estimateTokens(typeof prompt === 'string' ? prompt : prompt.prefix + prompt.suffix));
      return { text: '', stopReason: 'maxTokens' as const, stats, model: facts.model };
    });
    return result.stats;
  }

  async countTokens(text: string): Promise<number> {
    const { client, facts } = await this.connected();
    if (facts.kind !== 'llama-server') return estimateTokens(text);
    const answer = await client.json('POST', '/tokenize', { content: text, add_special: false }, { model: facts.model });
    const tokens = isJson(answer.body) ? answer.body.tokens : undefined;
    return Array.isArray(tokens) ? tokens.length : estimateTokens(text);
  }

  async modelInfo(options: { signal?: AbortSignal } = {}): Promise<ModelInfo> {
    const { client, facts } = await this.connected(options.signal);
    return this.info(facts, client);
  }

  async stats(): Promise<WorkerStats | undefined> {
    if (!this.known || !this.client) return undefined;
    return { ...this.counters, requests: { ...this.counters.requests }, model: this.info(this.known, this.client.client), rssBytes: 0, peakRssBytes: 0, uptimeMs: Math.round(performance.now() - this.started) };
  }

  /** Forgets the probe and stops every request; the next request connects (and probes) again. */
  async restart(): Promise<void> {
    this.reset();
    this.setState(this.restingState());
  }

  dispose(): void {
    this.disposed = true;
    this.reset();
    this.changed.dispose();
  }

  // ---------------------------------------------------------------------------------------------------------

  private reset(): void {
    for (const r of this.running) r.controller.abort('shutdown');
    this.client?.client.dispose();
    this.client = undefined;
    this.facts = undefined;
    this.known = undefined;
  }

  private restingState(): EngineState {
    const target = this.options.target();
    if (!target?.url.trim()) return { kind: 'error', code: 'REMOTE_CONFIG', message: 'hearth.engine is "remote" but hearth.remote.url is empty: set the server\'s address.' };
    let server: string;
    try {
      server = parseServerUrl(target.url).origin;
    } catch (error) {
      return { kind: 'error', code: 'REMOTE_CONFIG', message: (error as Error).message };
    }
    const name = this.known?.model ?? (target.model.trim() || 'the server\'s model');
    return { kind: this.known ? 'ready' : 'idle', modelName: name, server };
  }

  private setState(state: EngineState): void {
    const prev = this.current;
    if (prev.kind === state.kind && prev.modelName === state.modelName && prev.message === state.message && prev.server === state.server) return;
    this.current = state;
    this.changed.fire(state);
  }

  /** The client for the current settings, probed once (again after a connection failure or a restart). */
  private async connected(signal?: AbortSignal): Promise<{ client: RemoteClient; facts: ServerFacts }> {
    if (this.disposed) throw new EngineError('INTERNAL', 'Hearth is shutting down.');
    const target = this.options.target();
    if (!target?.url.trim()) {
      const state = this.restingState();
      this.setState(state);
      throw new EngineError('REMOTE_CONFIG', state.message!);
    }
    const key = JSON.stringify(target);
    if (this.client?.key !== key) {
      // Settings changed under a running request (configurationChanged stops those): a new client, the old one closed.
      this.client?.client.dispose();
      this.client = undefined;
      this.facts = undefined;
      this.known = undefined;
      let origin: string;
      try {
        origin = parseServerUrl(target.url).origin;
      } catch (error) {
        this.setState({ kind: 'error', code: 'REMOTE_CONFIG', message: (error as Error).message });
        throw error;
      }
      this.client = { key, client: new RemoteClient(target, () => this.options.apiKey(origin)) };
    }
    const client = this.client.client;
    if (!this.facts) {
      const probing = client.probe();
      this.facts = probing;
      probing.then((facts) => {
        if (this.facts !== probing) return;
        this.known = facts;
        this.options.log.info(`remote engine: ${client.label} is ${facts.kind === 'llama-server' ? 'llama-server' : 'an OpenAI-compatible server'} serving ${facts.model} (context ${facts.contextSize}; fill-in-the-middle ${facts.infill === 'endpoint' ? 'by /infill' : facts.infill === 'template' ? `by the ${facts.fimTemplate?.name} template over /v1/completions` : 'none'}; probed in ${Math.round(facts.probeMs)} ms)`);
        if (this.running.size === 0) this.setState({ kind: 'ready', modelName: facts.model, server: client.label });
      }, (error: Error) => {
        if (this.facts !== probing) return;
        this.facts = undefined;
        this.failed(error, client);
      });
    }
    return { client, facts: await raceAbort(this.facts, signal) };
  }

  /** A failure the user should see in the status bar; a connection-level one also means probing again next time. */
  private failed(error: unknown, client: RemoteClient): void {
    if (!(error instanceof EngineError)) return;
    if (error.code === 'REMOTE_UNREACHABLE' || error.code === 'REMOTE_STREAM' || error.code === 'REMOTE_TIMEOUT') {
      this.facts = undefined;
      this.known = undefined;
    }
    if (error.code === 'NO_INFILL' || error.code === 'BAD_REQUEST') return;
    this.options.log.warn(`remote engine: ${error.message}`);
    this.setState({ kind: 'error', modelName: this.known?.model ?? this.options.target()?.model, message: error.message, code: error.code, server: client.label });
  }

  private info(facts: ServerFacts, client: RemoteClient): ModelInfo {
    return {
      path: `${client.base.href.replace(/\/$/, '')}#${facts.model}`,
      name: facts.model,
      architecture: facts.kind,
      fileSize: 0,
      trainedContextLength: facts.trainedContextLength,
      contextSize: facts.contextSize,
      hasChatTemplate: facts.chatTemplate,
      supportsInfill: facts.infill !== 'none',
      chatWrapper: 'the server\'s chat template',
      server: client.label,
      threads: 0,
      threadsReason: 'set on the server',
      gpu: false,
      loadMs: Math.round(facts.probeMs),
      estimatedMemoryBytes: 0,
    };
  }

  /** Runs one request with its cancellation, its place in the newest-wins lane, the state and the counters. */
  private async run(
    kind: RequestKind, completionLane: boolean, options: RequestOptions,
    work: (client: RemoteClient, facts: ServerFacts, signal: AbortSignal, onText: (text: string) => void) => Promise<GenerationResult>,
  ): Promise<GenerationResult> {
    if (options.signal?.aborted) throw new CancelledError('cancel');
    const controller = new AbortController();
    const onAbort = () => controller.abort('cancel');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // Newest wins on the completion lane; a prefill is superseded but supersedes nothing.
    if (completionLane && kind !== 'prefill') {
      for (const r of this.running) if (r.completionLane) r.controller.abort('superseded');
    }
    const entry: Running = { controller, completionLane };
    this.running.add(entry);
    this.counters.requests[kind] = (this.counters.requests[kind] ?? 0) + 1;
    let partial = '';
    let client: RemoteClient | undefined;
    try {
      const connection = await this.connected(controller.signal);
      client = connection.client;
      this.setState({ kind: 'generating', modelName: connection.facts.model, server: client.label });
      const result = await work(client, connection.facts, controller.signal, (text) => {
        partial += text;
        options.onChunk?.(text);
      });
      if (controller.signal.aborted) throw new CancelledError('cancel');
      this.counters.totalEvaluatedTokens += result.stats.evaluatedTokens;
      this.counters.totalGeneratedTokens += result.stats.generatedTokens;
      this.counters.last = { ...result.stats, type: kind, model: result.model };
      return result;
    } catch (error) {
      if (controller.signal.aborted) {
        this.counters.cancelled++;
        const reason = controller.signal.reason as CancelReason;
        throw new CancelledError(reason === 'superseded' || reason === 'shutdown' ? reason : 'cancel', partial);
      }
      if (client) this.failed(error, client);
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.running.delete(entry);
      if (this.running.size === 0 && this.current.kind === 'generating' && this.known && this.client) {
        this.setState({ kind: 'ready', modelName: this.known.model, server: this.client.client.label });
      }
    }
  }

  private samplingFields(facts: ServerFacts, sampling: SamplingOptions) {
    return {
      temperature: sampling.temperature ?? 0,
      ...(sampling.topK !== undefined ? { top_k: sampling.topK } : {}),
      ...(sampling.topP !== undefined ? { top_p: sampling.topP } : {}),
      ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
      // llama-server: timings with every event, so a request ended early (line limit) still reports its cache use.
      ...(facts.kind === 'llama-server' ? { timings_per_token: true, cache_prompt: true } : {}),
    };
  }

  private maxTokens(facts: ServerFacts, sampling: SamplingOptions): number {
    return Math.max(1, Math.min(sampling.maxTokens, facts.contextSize - 2));
  }

  private nativeBody(facts: ServerFacts, sampling: SamplingOptions, fields: Json): Json {
    const stop = (sampling.stop ?? []).filter((s) => s.length > 0);
    return { ...fields, model: facts.model, n_predict: this.maxTokens(facts, sampling), stream: true, ...this.samplingFields(facts, sampling), ...(stop.length ? { stop } : {}) };
  }

  private openAiBody(facts: ServerFacts, sampling: SamplingOptions, fields: Json, extraStops: string[] = []): Json {
    // OpenAI allows four stop strings; the rest are cut here as the text arrives.
    const stop = [...(sampling.stop ?? []), ...extraStops].filter((s) => s.length > 0).slice(0, 4);
    return {
      ...fields, model: facts.model, max_tokens: this.maxTokens(facts, sampling), stream: true, stream_options: { include_usage: true },
      ...this.samplingFields(facts, sampling), ...(stop.length ? { stop } : {}),
    };
  }

  /** Reads one streamed answer, applying the stop strings, line limit and time budget as the worker does. */
  private async generate(
    client: RemoteClient, facts: ServerFacts, path: string, body: Json, dialect: Dialect, sampling: SamplingOptions, extraStops: string[],
    signal: AbortSignal, onText: (text: string) => void,
  ): Promise<GenerationResult> {
    const started = performance.now();
    const stops = [...(sampling.stop ?? []), ...extraStops].filter((s) => s.length > 0);
    let firstAt: number | undefined;
    let raw = '';
    let text = '';
    let emitted = '';
    let pieces = 0;
    let stopReason: StopReason = 'maxTokens';
    let timings: Timings | undefined;
    let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
    let ended = false;
    for await (const event of client.stream(path, body, dialect.ended, signal, facts.model)) {
      if (ended) {
        if (isJson(event.usage)) usage = event.usage as typeof usage;
        if (isJson(event.timings)) timings = event.timings as Timings;
        continue;
      }
      if (isJson(event.timings)) timings = event.timings as Timings;
      if (isJson(event.usage)) usage = event.usage as typeof usage;
      const piece = dialect.text(event);
      const serverStop = dialect.stopReason(event);
      if (piece) {
        firstAt ??= performance.now();
        pieces++;
        raw += piece;
      }
      // Ended here (not by the server): the connection is closed, which stops the generation on the server.
      const cut = cutText(raw, stops, sampling.maxLines);
      const visible = cut.visible;
      let cutHere = cut.reason !== undefined;
      if (cut.reason) stopReason = cut.reason;
      if (!cutHere && sampling.timeBudgetMs !== undefined && firstAt !== undefined && performance.now() - firstAt > sampling.timeBudgetMs) {
        stopReason = 'timeBudget';
        cutHere = true;
      }
      // Ended by the server: read on to the stream's end (usage, [DONE]) so the connection is reused.
      if (!cutHere && serverStop) {
        stopReason = serverStop;
        ended = true;
      }
      let safe = visible;
      if (!cutHere && !ended) safe = safe.slice(0, safe.length - partialStopLength(safe, stops));
      if (safe.length > emitted.length && safe.startsWith(emitted)) {
        onText(safe.slice(emitted.length));
        emitted = safe;
      }
      text = visible;
      if (cutHere) break;
    }
    if (signal.aborted) throw new CancelledError('cancel', emitted);
    const end = performance.now();
    const promptEstimate = estimateTokens(typeof body.prompt === 'string' ? body.prompt : JSON.stringify(body.messages ?? body.input_prefix ?? ''));
    return { text, stopReason, stats: this.statsFrom(timings, usage, pieces, started, firstAt ?? end, end, promptEstimate), model: facts.model };
  }

  /** GenerationStats from llama-server's timings, else the OpenAI usage, else what the client saw. */
  private statsFrom(timings: Timings | undefined, usage: { prompt_tokens?: number; completion_tokens?: number } | undefined, pieces: number, started: number, firstAt: number, end: number, promptEstimate: number): GenerationStats {
    const cached = num(timings?.cache_n) ?? 0;
    const evaluated = num(timings?.prompt_n);
    const promptTokens = evaluated !== undefined ? evaluated + cached : num(usage?.prompt_tokens) ?? promptEstimate;
    return {
      promptTokens,
      evaluatedTokens: evaluated ?? promptTokens,
      reusedTokens: cached,
      generatedTokens: num(timings?.predicted_n) ?? num(usage?.completion_tokens) ?? pieces,
      promptMs: num(timings?.prompt_ms) ?? firstAt - started,
      generationMs: num(timings?.predicted_ms) ?? end - firstAt,
      totalMs: end - started,
      truncatedTokens: 0,
    };
  }
}
