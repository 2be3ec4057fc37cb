/**
 * The typed IPC protocol between the extension host (engine client) and the inference worker.
 * Shared verbatim by both sides so a message shape can only change in one place.
 * No imports of `vscode` or node-llama-cpp here: this module must stay loadable anywhere.
 */

export type GpuSetting = 'auto' | 'off';
export type ThreadsSetting = 'auto' | number;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** The jobs Hearth holds a model for: inline completions, and the assistant (chat, selection actions, the LM API). */
export type Job = 'completion' | 'assistant';

/** Which long-lived sequence (and so which KV cache) a request uses. */
export type Workload = 'completion' | 'chat';

export interface LoadOptions {
  modelPath: string;
  threads: ThreadsSetting;
  /** Tokens per sequence. */
  contextSize: number;
  gpu: GpuSetting;
  /** Where the measured thread calibration is remembered (JSON); undefined: measure every load. */
  calibrationFile?: string;
  logLevel: LogLevel;
}

export interface ModelInfo {
  path: string;
  name: string;
  architecture: string;
  fileSize: number;
  /** The context length the model was trained with. */
  trainedContextLength: number;
  /** Tokens per sequence actually allocated. */
  contextSize: number;
  hasChatTemplate: boolean;
  /** The GGUF has fill-in-the-middle tokens. */
  supportsInfill: boolean;
  chatWrapper: string;
  /** Where the model runs when it is not in Hearth's own worker: the remote server's address (hearth.engine: remote). */
  server?: string;
  /** Threads for generation. */
  threads: number;
  /** Threads for prompt evaluation (llama.cpp batches), when they differ from generation's. */
  batchThreads?: number;
  threadsReason: string;
  gpu: string | false;
  loadMs: number;
  estimatedMemoryBytes: number;
}

export interface SamplingOptions {
  maxTokens: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  /** Generation stops (and the stop text is cut) when one of these appears. */
  stop?: string[];
  /** Wall-clock budget for generation after the prompt is evaluated, in ms. */
  timeBudgetMs?: number;
  seed?: number;
  /** Stop at the end of this many lines (completions); undefined: no limit. */
  maxLines?: number;
}

export type InfillLayout = 'psm' | 'spm';

/** A fill-in-the-middle prompt. SPM (suffix first) keeps the text being typed at the end of the prompt. */
export interface InfillPrompt {
  prefix: string;
  suffix: string;
  layout?: InfillLayout;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerationStats {
  /** Tokens in the full prompt. */
  promptTokens: number;
  /** Prompt tokens actually evaluated (the rest came from the KV cache). */
  evaluatedTokens: number;
  reusedTokens: number;
  generatedTokens: number;
  promptMs: number;
  generationMs: number;
  totalMs: number;
  /** Prompt tokens dropped to fit the context window (oldest first). */
  truncatedTokens: number;
}

export type StopReason = 'eos' | 'stop' | 'maxTokens' | 'maxLines' | 'timeBudget' | 'contextFull';

export interface GenerationResult {
  text: string;
  stopReason: StopReason;
  stats: GenerationStats;
  /** File name of the model that generated it (with a model per job, tests and logs say which served). */
  model: string;
}

export interface WorkerStats {
  model?: ModelInfo;
  requests: Record<string, number>;
  cancelled: number;
  totalEvaluatedTokens: number;
  totalGeneratedTokens: number;
  /** Prompt tokens evaluated after a completion was cancelled, for the next keystroke at that place. */
  backgroundEvaluatedTokens?: number;
  /** With "auto" threads: the counts in use between probes, and how often the busy-machine fallback switched them. */
  activeThreads?: { batch: number; generation: number; changes: number };
  last?: GenerationStats & { type: string; model: string };
  rssBytes: number;
  peakRssBytes: number;
  uptimeMs: number;
}

/**
 * Every request the host can make, declared once with its parameters and its result (as vscode-eslint's
 * `RequestType<P, R>` and Continue's protocol map do): the worker's `done` reply is type-checked against the
 * result, and the host reads it without casts.
 */
export interface Requests {
  load: [{ options: LoadOptions }, ModelInfo];
  complete: [{ workload: Workload; prompt: string; sampling: SamplingOptions; addBos?: boolean }, GenerationResult];
  infill: [{ prefix: string; suffix: string; sampling: SamplingOptions; layout?: InfillLayout }, GenerationResult];
  chat: [{ messages: ChatMessage[]; sampling: SamplingOptions }, GenerationResult];
  /** Evaluate a prompt into a workload's KV cache without generating (keeps context warm while idle). */
  prefill: [{ workload: Workload; prompt: string | InfillPrompt }, GenerationStats];
  countTokens: [{ text: string }, number];
  cancel: [{ targetId: number }, boolean];
  stats: [Record<never, never>, WorkerStats];
  /** What this machine offers and what each model would need (node-llama-cpp's own estimates); needs no loaded model. */
  probe: [{ models: Array<{ path: string; contextSize: number }>; gpu: GpuSetting }, ProbeResult];
  shutdown: [Record<never, never>, boolean];
  /** The other job's worker has a completion running (`busy`): chat and actions here pause until it ends. */
  yieldToCompletion: [{ busy: boolean }, boolean];
  /** Answered at once: the host's request watchdog asks a quiet worker whether it is still alive. */
  ping: [Record<never, never>, true];
}

export type RequestType = keyof Requests;
export type ParamsOf<K extends RequestType> = Requests[K][0];
export type ResultOf<K extends RequestType> = Requests[K][1];

export interface MachineInfo {
  totalRamBytes: number;
  freeRamBytes: number;
  cores: number;
  /** The GPU backend llama.cpp found (cuda, vulkan, metal), or false for CPU only. */
  gpu: string | false;
  vram?: { totalBytes: number; freeBytes: number; unifiedBytes: number };
}

export interface ModelEstimate {
  path: string;
  /** Memory the model and its contexts (two workloads) would take, in RAM and VRAM, at the layers llama.cpp would offload. */
  ramBytes: number;
  vramBytes: number;
  gpuLayers: number;
  /** node-llama-cpp's 0–1 score for how well this model fits this machine at the requested context. */
  compatibilityScore: number;
  error?: string;
}

export interface ProbeResult {
  machine: MachineInfo;
  models: ModelEstimate[];
}

/** Host → worker. Every request carries an id the answers refer to. */
export type RequestOf<K extends RequestType> = { id: number; type: K } & ParamsOf<K>;
export type Request = { [K in RequestType]: RequestOf<K> }[RequestType];

/** The streamed requests: they may send chunks and are answered with done, cancelled or error. */
export const GENERATION_REQUESTS: ReadonlySet<RequestType> = new Set<RequestType>(['complete', 'infill', 'chat']);

export type ErrorCode =
  | 'MODEL_NOT_FOUND'
  | 'MODEL_IS_DIRECTORY'
  | 'MODEL_EMPTY'
  | 'MODEL_NOT_GGUF'
  | 'MODEL_TRUNCATED'
  | 'MODEL_TOO_LARGE'
  | 'MODEL_LOAD_FAILED'
  | 'NO_MODEL'
  | 'NOT_LOADED'
  | 'NO_INFILL'
  | 'RUNTIME_UNAVAILABLE'
  | 'WORKER_CRASHED'
  | 'BAD_REQUEST'
  | 'INTERNAL'
  /** The remote engine (hearth.engine: remote): no server address set, or one that is not an http(s) URL. */
  | 'REMOTE_CONFIG'
  /** Connection refused, no such host, or no connection within the connect timeout. */
  | 'REMOTE_UNREACHABLE'
  /** The server refused the API key (401/403). */
  | 'REMOTE_AUTH'
  /** The server does not serve the configured model. */
  | 'REMOTE_MODEL'
  /** The server answered with an error (5xx, or an error event inside the stream). */
  | 'REMOTE_SERVER'
  /** The answer broke off (connection closed, or the stream ended without its end) or was not understood. */
  | 'REMOTE_STREAM'
  /** Connected, but the server sent nothing for longer than the read timeout. */
  | 'REMOTE_TIMEOUT';

/** The successful answer to request `id`, tagged with its request type so the host can check it. */
export type DoneOf<K extends RequestType> = { id: number; type: 'done'; request: K; result: ResultOf<K> };
export type Done = DoneOf<RequestType>;

/** Worker → host. A streamed request gets any number of `chunk`s, then exactly one of done/cancelled/error. */
export type Response =
  | { type: 'ready'; pid: number }
  | { type: 'log'; level: LogLevel; message: string }
  /** The load moved on (a stage finished, or llama.cpp read more of the file): the host's load watchdog waits on. */
  | { type: 'loadProgress'; stage: string }
  | { id: number; type: 'chunk'; text: string }
  | Done
  | { id: number; type: 'cancelled'; partial: string; reason: CancelReason }
  | { id: number; type: 'error'; code: ErrorCode; message: string };

export type CancelReason = 'cancel' | 'superseded' | 'shutdown';

/** Builds the worker's reply to a request of type `request`: the compiler checks `result` against the map. */
export function doneReply<K extends RequestType>(id: number, request: K, result: ResultOf<K>): DoneOf<K> {
  return { id, type: 'done', request, result };
}

/** Narrows a reply to the request type the host asked for (a mismatched reply is a protocol error). */
export function isDoneFor<K extends RequestType>(message: Done, request: K): message is DoneOf<K> {
  return message.request === request;
}

export function isResponse(value: unknown): value is Response {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

export function isRequest(value: unknown): value is Request {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { id?: unknown; type?: unknown };
  return typeof v.id === 'number' && typeof v.type === 'string';
}
