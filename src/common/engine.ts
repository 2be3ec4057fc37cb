/**
 * The engine as the rest of Hearth sees it. Capabilities (completion, actions, chat) depend on this interface,
 * not on the worker client, so their glue can be unit-tested against a fake beside the real-model tests.
 */
import type {
  ChatMessage,
  ErrorCode,
  GenerationResult,
  InfillLayout,
  InfillPrompt,
  GenerationStats,
  ModelInfo,
  SamplingOptions,
  WorkerStats,
  Workload,
} from './protocol';

export type EngineStateKind = 'noModel' | 'idle' | 'loading' | 'ready' | 'generating' | 'error';

export interface EngineState {
  kind: EngineStateKind;
  /** File name of the configured model, when there is one. */
  modelName?: string;
  /** For `error`: what went wrong, in words a user can act on. */
  message?: string;
  code?: ErrorCode;
  /** For the remote engine: the server's address (the status bar says which engine serves each job). */
  server?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Streamed text as it is generated. */
  onChunk?: (text: string) => void;
}

export interface Disposable {
  dispose(): void;
}

export interface InferenceEngine {
  readonly state: EngineState;
  onDidChangeState(listener: (state: EngineState) => void): Disposable;
  /** Plain completion. A newer `completion`-workload request cancels an older one still running (newest wins). */
  complete(prompt: string, sampling: SamplingOptions, options?: RequestOptions & { workload?: Workload }): Promise<GenerationResult>;
  /** Fill-in-the-middle with the model's FIM tokens; rejects with code NO_INFILL when the model has none. Newest wins. */
  infill(prefix: string, suffix: string, sampling: SamplingOptions, options?: RequestOptions & { layout?: InfillLayout }): Promise<GenerationResult>;
  /** One assistant turn through the model's chat template (or a fallback wrapper). */
  chat(messages: ChatMessage[], sampling: SamplingOptions, options?: RequestOptions): Promise<GenerationResult>;
  /**
   * Evaluate a prompt into a workload's KV cache without generating (keeps a likely prefix warm). An infill
   * prompt is laid out exactly as `infill` lays it out, so the request that follows evaluates ~1 token.
   */
  prefill(prompt: string | InfillPrompt, workload: Workload, options?: RequestOptions): Promise<GenerationStats>;
  countTokens(text: string): Promise<number>;
  /** Loads the model if needed; the signal lets a caller stop waiting (the load itself goes on). */
  modelInfo(options?: { signal?: AbortSignal }): Promise<ModelInfo>;
  /** The loaded model's info, if loaded, without starting anything. */
  readonly loadedModel: ModelInfo | undefined;
  /** Worker statistics; undefined when no worker runs (does not start one). */
  stats(): Promise<WorkerStats | undefined>;
  /** Stop the worker now; the next request starts a new one. */
  restart(): Promise<void>;
  dispose(): void;
}
