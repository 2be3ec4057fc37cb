/**
 * The typed IPC protocol between the extension host (engine client) and the inference worker.
 * Shared verbatim by both sides so a message shape can only change in one place.
 * No imports of `vscode` or node-llama-cpp here: this module must stay loadable anywhere.
 */

export type GpuSetting = 'auto' | 'off';
export type ThreadsSetting = 'auto' | number;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

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
  threads: number;
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
}

export interface WorkerStats {
  model?: ModelInfo;
  requests: Record<string, number>;
  cancelled: number;
  totalEvaluatedTokens: number;
  totalGeneratedTokens: number;
  last?: GenerationStats & { type: string };
  rssBytes: number;
  peakRssBytes: number;
  uptimeMs: number;
}

/** Host → worker. Every request carries an id the answers refer to. */
export type Request =
  | { id: number; type: 'load'; options: LoadOptions }
  | { id: number; type: 'complete'; workload: Workload; prompt: string; sampling: SamplingOptions; addBos?: boolean }
  | { id: number; type: 'infill'; prefix: string; suffix: string; sampling: SamplingOptions; layout?: InfillLayout }
  | { id: number; type: 'chat'; messages: ChatMessage[]; sampling: SamplingOptions }
  /** Evaluate a prompt into a workload's KV cache without generating (keeps context warm while idle). */
  | { id: number; type: 'prefill'; workload: Workload; prompt: string | InfillPrompt }
  | { id: number; type: 'countTokens'; text: string }
  | { id: number; type: 'cancel'; targetId: number }
  | { id: number; type: 'stats' }
  | { id: number; type: 'shutdown' };

export type RequestType = Request['type'];

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
  | 'INTERNAL';

/** Worker → host. A streamed request gets any number of `chunk`s, then exactly one of done/cancelled/error. */
export type Response =
  | { type: 'ready'; pid: number }
  | { type: 'log'; level: LogLevel; message: string }
  | { id: number; type: 'chunk'; text: string }
  | { id: number; type: 'done'; result: unknown }
  | { id: number; type: 'cancelled'; partial: string; reason: 'cancel' | 'superseded' | 'shutdown' }
  | { id: number; type: 'error'; code: ErrorCode; message: string };

/** What `done.result` holds for each request type. */
export interface ResultOf {
  load: ModelInfo;
  complete: GenerationResult;
  infill: GenerationResult;
  chat: GenerationResult;
  prefill: GenerationStats;
  countTokens: number;
  cancel: boolean;
  stats: WorkerStats;
  shutdown: boolean;
}

export function isResponse(value: unknown): value is Response {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

export function isRequest(value: unknown): value is Request {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { id?: unknown; type?: unknown };
  return typeof v.id === 'number' && typeof v.type === 'string';
}
