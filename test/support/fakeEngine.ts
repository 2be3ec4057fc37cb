/**
 * A scripted stand-in for the engine, for fast unit tests of glue code. Real-model tests exist beside every
 * use of it; this never replaces them.
 */
import type { ChatMessage, GenerationResult, InfillPrompt, GenerationStats, ModelInfo, SamplingOptions, WorkerStats } from '../../src/common/protocol';
import { type Disposable, type EngineState, type InferenceEngine, type RequestOptions } from '../../src/common/engine';
import { CancelledError } from '../../src/common/errors';

export interface FakeCall {
  type: 'complete' | 'infill' | 'chat' | 'prefill' | 'countTokens';
  prompt?: string;
  prefix?: string;
  suffix?: string;
  layout?: string;
  messages?: ChatMessage[];
  sampling?: SamplingOptions;
}

const zeroStats: GenerationStats = {
  promptTokens: 0, evaluatedTokens: 0, reusedTokens: 0, generatedTokens: 0, promptMs: 0, generationMs: 0, totalMs: 0, truncatedTokens: 0,
};

export class FakeEngine implements InferenceEngine {
  state: EngineState = { kind: 'ready', modelName: 'fake.gguf' };
  readonly calls: FakeCall[] = [];
  /** What the next generations answer; the last entry repeats. A function gets the call. */
  replies: Array<string | ((call: FakeCall) => string)> = ['fake reply'];
  /** Delay between streamed chunks (ms). */
  chunkDelayMs = 0;
  /** Split replies into chunks of this many characters. */
  chunkSize = 4;
  supportsInfill = true;
  contextSize = 2048;
  private listeners = new Set<(s: EngineState) => void>();

  onDidChangeState(listener: (state: EngineState) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  setState(state: EngineState): void {
    this.state = state;
    for (const l of this.listeners) l(state);
  }

  get loadedModel(): ModelInfo {
    return {
      path: '/fake/fake.gguf', name: 'fake.gguf', architecture: 'llama', fileSize: 1, trainedContextLength: 2048,
      contextSize: this.contextSize, hasChatTemplate: true, supportsInfill: this.supportsInfill, chatWrapper: 'General',
      threads: 1, threadsReason: 'fake', gpu: false, loadMs: 0, estimatedMemoryBytes: 1,
    };
  }

  async modelInfo(): Promise<ModelInfo> {
    return this.loadedModel;
  }

  complete(prompt: string, sampling: SamplingOptions, options?: RequestOptions): Promise<GenerationResult> {
    return this.generate({ type: 'complete', prompt, sampling }, options);
  }

  infill(prefix: string, suffix: string, sampling: SamplingOptions, options?: RequestOptions): Promise<GenerationResult> {
    return this.generate({ type: 'infill', prefix, suffix, sampling }, options);
  }

  chat(messages: ChatMessage[], sampling: SamplingOptions, options?: RequestOptions): Promise<GenerationResult> {
    return this.generate({ type: 'chat', messages, sampling }, options);
  }

  async prefill(prompt: string | InfillPrompt): Promise<GenerationStats> {
    this.calls.push(typeof prompt === 'string' ? { type: 'prefill', prompt } : { type: 'prefill', prefix: prompt.prefix, suffix: prompt.suffix, layout: prompt.layout });
    return zeroStats;
  }

  async countTokens(text: string): Promise<number> {
    this.calls.push({ type: 'countTokens', prompt: text });
    return Math.ceil(text.length / 4);
  }

  async stats(): Promise<WorkerStats> {
    const requests: Record<string, number> = {};
    for (const c of this.calls) requests[c.type] = (requests[c.type] ?? 0) + 1;
    return { requests, cancelled: 0, totalEvaluatedTokens: 0, totalGeneratedTokens: 0, rssBytes: 0, peakRssBytes: 0, uptimeMs: 0 };
  }

  async restart(): Promise<void> {}
  dispose(): void {}

  private async generate(call: FakeCall, options?: RequestOptions): Promise<GenerationResult> {
    this.calls.push(call);
    const index = Math.min(this.calls.filter((c) => c.type !== 'countTokens' && c.type !== 'prefill').length - 1, this.replies.length - 1);
    const reply = this.replies[Math.max(0, index)];
    const text = typeof reply === 'function' ? reply(call) : reply;
    let sent = '';
    for (let i = 0; i < text.length; i += this.chunkSize) {
      if (options?.signal?.aborted) throw new CancelledError('cancel', sent);
      if (this.chunkDelayMs > 0) await new Promise((r) => setTimeout(r, this.chunkDelayMs));
      if (options?.signal?.aborted) throw new CancelledError('cancel', sent);
      const chunk = text.slice(i, i + this.chunkSize);
      sent += chunk;
      options?.onChunk?.(chunk);
    }
    return { text, model: 'fake.gguf', stopReason: 'eos', stats: { ...zeroStats, generatedTokens: Math.ceil(text.length / 4) } };
  }
}
