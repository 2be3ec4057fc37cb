/**
 * Owns node-llama-cpp inside the worker: one model, one context with a long-lived sequence per workload
 * (completion and chat keep separate KV caches, so neither evicts the other's prefix), and the request
 * implementations on top of the shared generation loop.
 */
import * as path from 'node:path';
import type { ChatHistoryItem, ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { EngineError } from '../common/errors';
import { looksOutOfMemory, outOfMemoryMessage } from '../common/modelMemory';
import type { ChatMessage, GenerationResult, GenerationStats, InfillPrompt, LoadOptions, ModelInfo, SamplingOptions, Workload } from '../common/protocol';
import { evaluateOnly, generate, type GenerateArgs, PrefillRun, SliceSizer, stableLength } from './generate';
import { describeGpuChoice, gpuBuildsIn } from './gpuChoice';
import { checkHeader } from './headerCheck';
import { Priority } from './priority';
import { CHECK_TIMEOUT_MS, checkModelFile } from './modelFile';
import { ThreadGovernor } from './threadGovernor';
import type { ThreadMeasurement } from './threadChoice';
import { decideThreads } from './threads';

type NodeLlamaCpp = typeof import('node-llama-cpp', { with: { 'resolution-mode': 'import' } });

/** A chat slice short enough that a completion arriving behind it barely waits. */
const CHAT_MAX_SLICE_MS = 100;

/** About what llama.cpp's CPU binding maps when it loads. */
const RUNTIME_RESERVE_BYTES = 64 * 1024 * 1024;

/** Whether `bytes` of address space can be had now (an ArrayBuffer is reserved, not written, so this costs nothing). */
function canReserve(bytes: number): boolean {
  try {
    return new ArrayBuffer(bytes).byteLength === bytes;
  } catch {
    return false;
  }
}

export class Runtime {
  private readonly sizer = new SliceSizer();
  private readonly runs: Record<Workload, PrefillRun> = { completion: new PrefillRun(), chat: new PrefillRun() };
  readonly priority = new Priority();
  /** Each workload's latest prompt, so a cancelled one can keep evaluating its stable part. */
  private readonly lastTokens: Record<Workload, Token[]> = { completion: [], chat: [] };
  private constructor(
    readonly llama: Llama,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    private readonly sequences: Record<Workload, LlamaContextSequence>,
    private readonly chatWrapper: ChatWrapper,
    readonly info: ModelInfo,
    /** With "auto" threads only: a count the user chose is kept as chosen. */
    readonly governor?: ThreadGovernor,
  ) {}

  /** `progress` is told each stage that finishes (and llama.cpp's load progress): the host's load watchdog waits on it. */
  static async load(
    options: LoadOptions,
    log: (level: 'error' | 'warn' | 'info' | 'debug', message: string) => void,
    progress: (stage: string) => void = () => {},
  ): Promise<Runtime> {
    const started = performance.now();
    // Hearth's own bounded check first: a bad file fails in milliseconds, before node-llama-cpp (~0.4 s to load) is.
    const header = await checkHeader(options.modelPath, AbortSignal.timeout(CHECK_TIMEOUT_MS));
    let lib: NodeLlamaCpp;
    try {
      // A real dynamic import (Node caches the module): node-llama-cpp is ESM with top-level await and cannot be require()d.
      lib = await import('node-llama-cpp');
    } catch (error) {
      throw new EngineError('RUNTIME_UNAVAILABLE', `The llama.cpp runtime (node-llama-cpp) could not be loaded: ${(error as Error).message}. Reinstall Hearth for this platform.`);
    }
    const checked = await checkModelFile(options.modelPath, options.contextSize, (p, signal) => lib.readGgufFileInfo(p, { sourceType: 'filesystem', signal, fetchRetryOptions: { retries: 0 } }), undefined, { header });
    progress('checked');
    const cores = (await import('node:os')).availableParallelism();
    const levels: Record<string, 'error' | 'warn' | 'info' | 'debug' | undefined> = { fatal: 'error', error: 'error', warn: 'warn', info: 'debug', log: 'debug', debug: undefined };
    let llama: Llama;
    // llama.cpp says why a load failed only in its log (the thrown error is "Failed to load model"): kept to tell
    // running out of memory from a broken file.
    let recentErrors: string[] = [];
    const outOfMemory = (error: unknown): EngineError | undefined => {
      const evidence = [(error as Error)?.message ?? String(error), ...recentErrors].find(looksOutOfMemory);
      return evidence === undefined ? undefined : new EngineError('MODEL_TOO_LARGE', outOfMemoryMessage(checked.name, evidence.replace(/^.*error loading model: /, '')));
    };
    try {
      llama = await lib.getLlama({
        gpu: options.gpu === 'off' ? false : 'auto',
        build: 'never',
        skipDownload: true,
        progressLogs: false,
        usePrebuiltBinaries: true,
        maxThreads: cores,
        logLevel: options.logLevel === 'debug' ? lib.LlamaLogLevel.debug : lib.LlamaLogLevel.warn,
        logger: (level, message) => {
          const mapped = levels[level];
          if (mapped === 'error') recentErrors = [...recentErrors.slice(-7), message.trim()];
          if (mapped && message.trim()) log(mapped, `llama.cpp: ${message.trim()}`);
        },
      });
    } catch (error) {
      // A binding that cannot be mapped into memory fails like a missing one (node-llama-cpp says only
      // NoBinaryFoundError): if this process cannot even reserve a little memory now, that is the cause to report.
      if (!canReserve(RUNTIME_RESERVE_BYTES)) throw new EngineError('MODEL_TOO_LARGE', outOfMemoryMessage(checked.name, `the llama.cpp runtime could not be loaded: ${(error as Error).message}`));
      throw new EngineError('RUNTIME_UNAVAILABLE', `No usable llama.cpp binary for this machine: ${(error as Error).message}`);
    }
    // The worker bundle sits in <extension>/dist, beside the node_modules the VSIX carries.
    const drivers = llama.gpu || options.gpu === 'off' ? [] : await lib.getLlamaGpuTypes('supported').catch(() => []);
    log('info', describeGpuChoice(options.gpu, llama.gpu, drivers, gpuBuildsIn(path.join(__dirname, '..'))));
    progress('runtime');
    let model: LlamaModel;
    let reported = 0;
    try {
      model = await llama.loadModel({
        modelPath: options.modelPath,
        gpuLayers: options.gpu === 'off' ? 0 : 'auto',
        onLoadProgress: (fraction) => {
          if (fraction - reported < 0.01) return;
          reported = fraction;
          progress(`model ${Math.round(fraction * 100)}%`);
        },
      });
    } catch (error) {
      await llama.dispose().catch(() => undefined);
      throw outOfMemory(error) ?? new EngineError('MODEL_LOAD_FAILED', `llama.cpp could not load ${checked.name}: ${(error as Error).message}. The file may be damaged or use an architecture this runtime does not support.`);
    }
    try {
      const decision = await decideThreads({
        setting: options.threads, model, fileSize: checked.fileSize, gpu: llama.gpu, cacheFile: options.calibrationFile,
        log: (m) => log('info', m),
      });
      progress('threads');
      const contextSize = Math.max(256, Math.min(options.contextSize, checked.trainedContextLength || options.contextSize));
      // The context may use up to the larger count (its ideal is capped by llama.maxThreads when it is made);
      // afterwards llama.maxThreads picks the count for each decode (setPhase).
      const context = await model.createContext({ contextSize, sequences: 2, threads: { ideal: Math.max(decision.threads, decision.batchThreads), min: 1 }, batchSize: Math.min(512, contextSize) });
      llama.maxThreads = decision.threads;
      const sequences = { completion: context.getSequence(), chat: context.getSequence() };
      let chatWrapper: ChatWrapper;
      try {
        chatWrapper = lib.resolveChatWrapper(model);
      } catch (error) {
        log('warn', `chat template unusable (${(error as Error).message}); using a general chat format`);
        chatWrapper = new lib.GeneralChatWrapper();
      }
      const infill = model.tokens.infill;
      const info: ModelInfo = {
        path: options.modelPath,
        name: checked.name,
        architecture: checked.architecture,
        fileSize: checked.fileSize,
        trainedContextLength: checked.trainedContextLength,
        contextSize: context.contextSize,
        hasChatTemplate: checked.hasChatTemplate,
        supportsInfill: infill.prefix !== null && infill.suffix !== null && infill.middle !== null,
        chatWrapper: chatWrapper.wrapperName,
        threads: decision.threads,
        batchThreads: decision.batchThreads,
        threadsReason: decision.reason,
        gpu: llama.gpu,
        loadMs: Math.round(performance.now() - started),
        estimatedMemoryBytes: checked.estimatedMemoryBytes,
      };
      const priors = (pick: (m: ThreadMeasurement) => number) =>
        Object.fromEntries((decision.measurements ?? []).filter((m) => m.threads === 1 || m.threads === decision.threads || m.threads === decision.batchThreads).map((m) => [m.threads, pick(m) / 1000]));
      const governor = options.threads === 'auto' && decision.threads + decision.batchThreads > 2
        ? new ThreadGovernor({ batch: decision.batchThreads, generation: decision.threads }, (e) =>
          log('info', `${e.phase === 'batch' ? 'prompts' : 'generation'} now on ${e.to} thread${e.to === 1 ? '' : 's'} (measured tok/s: ${Object.entries(e.speeds).map(([t, v]) => `${t} threads ${Math.round(v * 1000)}`).join(', ')})`),
        { batch: priors((m) => m.promptTps), generation: priors((m) => m.generationTps) })
        : undefined;
      return new Runtime(llama, model, context, sequences, chatWrapper, info, governor);
    } catch (error) {
      await model.dispose().catch(() => undefined);
      await llama.dispose().catch(() => undefined);
      if (error instanceof EngineError) throw error;
      throw outOfMemory(error) ?? new EngineError('MODEL_LOAD_FAILED', `Could not prepare ${checked.name}: ${(error as Error).message}`);
    }
  }

  private tokenizePlain(prompt: string, addBos = true): Token[] {
    const tokens = this.model.tokenize(prompt, false);
    const bos = this.model.tokens.bos;
    return addBos && bos !== null && this.model.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
  }

  complete(workload: Workload, prompt: string, sampling: SamplingOptions, signal: AbortSignal, onText: (t: string) => void, addBos = true): Promise<GenerationResult> {
    return this.named(generate({ ...this.lane(workload, this.tokenizePlain(prompt, addBos), signal), sampling, onText }));
  }

  /**
   * node-llama-cpp sets a context's threads before each decode from llama.maxThreads (its thread splitter), so this
   * switches between the prompt's and generation's counts without a new context. Both lanes share the setting: a
   * decode that batches a prompt slice with another lane's token runs on the count set last.
   */
  private readonly setPhase = (phase: 'batch' | 'generation'): number => {
    const threads = this.governor?.threadsFor(phase, performance.now())
      ?? (phase === 'batch' ? this.info.batchThreads ?? this.info.threads : this.info.threads);
    if (this.llama.maxThreads !== threads) this.llama.maxThreads = threads;
    return threads;
  };

  private readonly decoded = (phase: 'batch' | 'generation', threads: number, tokens: number, ms: number): void => {
    this.governor?.record(phase, threads, tokens, ms);
  };

  /** What every request on a workload shares: its sequence, and for chat, yielding to completions. */
  private lane(workload: Workload, tokens: Token[], signal: AbortSignal): GenerateArgs {
    this.lastTokens[workload] = tokens;
    const base = { sequence: this.sequences[workload], model: this.model, tokens, signal, sizer: this.sizer, phase: this.setPhase, decoded: this.decoded, run: this.runs[workload] };
    return workload === 'chat' ? { ...base, yieldTo: this.priority.wait, maxSliceMs: CHAT_MAX_SLICE_MS } : base;
  }

  /** Fill-in-the-middle. SPM puts the suffix first so the text being typed (the prefix's end) stays last. */
  infill(prompt: InfillPrompt, sampling: SamplingOptions, signal: AbortSignal, onText: (t: string) => void): Promise<GenerationResult> {
    return this.named(generate({ ...this.lane('completion', this.infillTokens(prompt), signal), sampling, onText }));
  }

  private infillTokens({ prefix, suffix, layout = 'psm' }: InfillPrompt): Token[] {
    const { prefix: pre, suffix: suf, middle: mid } = this.model.tokens.infill;
    if (pre === null || suf === null || mid === null) {
      throw new EngineError('NO_INFILL', `${this.info.name} has no fill-in-the-middle tokens; use a plain completion instead.`);
    }
    const prefixTokens = this.model.tokenize(prefix, false);
    const suffixTokens = this.model.tokenize(suffix, false);
    const bos = this.model.tokens.bos;
    const start = bos !== null && this.model.tokens.shouldPrependBosToken ? [bos] : [];
    return layout === 'spm'
      ? [...start, suf, ...suffixTokens, pre, ...prefixTokens, mid]
      : [...start, pre, ...prefixTokens, suf, ...suffixTokens, mid];
  }

  chat(messages: ChatMessage[], sampling: SamplingOptions, signal: AbortSignal, onText: (t: string) => void): Promise<GenerationResult> {
    const history: ChatHistoryItem[] = messages.map((m): ChatHistoryItem =>
      m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content },
    );
    history.push({ type: 'model', response: [] });
    const state = this.chatWrapper.generateContextState({ chatHistory: history });
    const tokens = state.contextText.tokenize(this.model.tokenizer);
    const stopTokens = new Set<Token>();
    const stop = [...(sampling.stop ?? [])];
    for (const trigger of state.stopGenerationTriggers) {
      const triggerTokens = trigger.tokenize(this.model.tokenizer);
      if (triggerTokens.length === 1) stopTokens.add(triggerTokens[0]);
      const text = this.model.detokenize(triggerTokens, false);
      if (text.trim().length > 0) stop.push(text);
    }
    return this.named(generate({ ...this.lane('chat', tokens, signal), sampling: { ...sampling, stop }, stopTokens, onText }));
  }

  prefill(workload: Workload, prompt: string | InfillPrompt, signal: AbortSignal): Promise<GenerationStats> {
    const tokens = typeof prompt === 'string' ? this.tokenizePlain(prompt) : this.infillTokens(prompt);
    return evaluateOnly(this.lane(workload, tokens, signal));
  }

  /**
   * After a completion was cancelled mid-prompt (the user typed on), keep evaluating the part of its prompt the
   * next keystroke will most likely share, so typing at a new place converges instead of restarting the prompt
   * on every key. The next request on the lane supersedes this at the next slice.
   */
  continueStable(signal: AbortSignal): Promise<GenerationStats> {
    const tokens = this.lastTokens.completion;
    return evaluateOnly({ sequence: this.sequences.completion, model: this.model, tokens, signal, sizer: this.sizer, phase: this.setPhase, decoded: this.decoded, run: this.runs.completion }, stableLength(tokens));
  }

  countTokens(text: string): number {
    return this.model.tokenize(text, false).length;
  }

  /** Tags a generation with the model that made it. */
  private async named(result: Promise<Omit<GenerationResult, 'model'>>): Promise<GenerationResult> {
    return { ...(await result), model: this.info.name };
  }

  async dispose(): Promise<void> {
    await this.context.dispose().catch(() => undefined);
    await this.model.dispose().catch(() => undefined);
    await this.llama.dispose().catch(() => undefined);
  }
}
