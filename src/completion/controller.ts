/**
 * The completion pipeline, free of `vscode` so the extension and the benchmark run exactly the same code:
 * cache (typed-through) → adaptive debounce → prompt → one engine request at a time (newest wins; identical
 * requests share one generation) → post-processing → cache.
 */
import { sleep } from '../common/abort';
import { Emitter } from '../common/emitter';
import { type Disposable, type InferenceEngine } from '../common/engine';
import { EngineError, isCancelled } from '../common/errors';
import type { GenerationStats, SamplingOptions } from '../common/protocol';
import { toEol } from '../common/text';
import { CompletionCache, type CacheKey } from './cache';
import { ContextRing } from './contextRing';
import { newCounters, type CompletionCounters } from './counters';
import { AdaptiveDebounce } from './debounce';
import { postProcess } from './postprocess';
import { buildPrompt, type PromptPlan, type WindowMemory } from './prompt';
import type { CompletionSettings } from './settings';
import type { DocumentSnapshot } from './snapshot';

export interface ControllerDeps {
  engine: InferenceEngine;
  settings: () => CompletionSettings;
  now?: () => number;
  /** Typing-time failures: logged and shown at most once by the glue. */
  reportError?: (error: unknown) => void;
  log?: (message: string) => void;
  /** false: never answer from the completion cache (the benchmark's cold baseline). */
  useCache?: boolean;
}

export interface ProvideOptions {
  /** Cancels waiting (and the generation once nobody else waits for it). */
  signal?: AbortSignal;
  /** Explicit trigger or precompute: no debounce, and a remembered "nothing here" is asked again. */
  explicit?: boolean;
  /** Checked before serving a model answer: true when the document moved on meanwhile. */
  isStale?: () => boolean;
  /** Fill the cache but do not count it as shown (precompute after accept). */
  background?: boolean;
}

export interface Served {
  /** In the document's line endings. */
  text: string;
  multiline: boolean;
  fromCache: boolean;
  /** From the call to the answer, debounce included. */
  latencyMs: number;
  stats?: GenerationStats;
}

export type Resolution =
  | { kind: 'served'; served: Served }
  /** `stats`: the engine's figures when the model answered (nothing worth showing), absent for a cached empty. */
  | { kind: 'empty'; latencyMs: number; multiline: boolean; stats?: GenerationStats }
  | { kind: 'none' };

export type Phase = 'idle' | 'waiting' | 'loading' | 'generating';

interface Outcome {
  /** \n line breaks; undefined: nothing worth showing. */
  text: string | undefined;
  multiline: boolean;
  stats: GenerationStats;
  engineMs: number;
}

interface Flight {
  id: string;
  abort: AbortController;
  waiters: number;
  promise: Promise<Outcome | undefined>;
}

/** A place whose prompt shares this much with the cached one needs no warm-up. */
const PLACE_SHARED_ENOUGH = 0.8;

/** The share of `a` that `b` starts with (the part of a prompt a KV cache holding `b` would reuse). */
export function sharedShare(a: string, b: string): number {
  if (a.length === 0) return 1;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i / a.length;
}

export class CompletionController {
  readonly cache = new CompletionCache();
  readonly ring = new ContextRing();
  readonly debounce: AdaptiveDebounce;
  readonly counters: CompletionCounters = newCounters();
  lastLatencyMs: number | undefined;
  private phaseNow: Phase = 'idle';
  private flight: Flight | undefined;
  private window: WindowMemory | undefined;
  private infillUnavailableFor: string | undefined;
  /** The last prompt sent to the engine, in the order its tokens are laid out (SPM: suffix, then prefix). */
  private lastPrompt = '';
  private readonly phaseChanged: Emitter<Phase>;
  private readonly now: () => number;

  constructor(private readonly deps: ControllerDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.phaseChanged = new Emitter<Phase>((error) => deps.log?.(`completion phase listener failed: ${(error as Error).message}`));
    this.debounce = new AdaptiveDebounce(() => {
      const s = deps.settings();
      return { minMs: s.debounceMinMs, maxMs: s.debounceMaxMs };
    });
  }

  get phase(): Phase {
    return this.phaseNow;
  }

  onDidChangePhase(listener: (phase: Phase) => void): Disposable {
    return this.phaseChanged.event(listener);
  }

  /** A document edit by the user: feeds the typing-speed estimate. */
  noteKeystroke(at = this.now()): void {
    this.debounce.recordKeystroke(at);
  }

  /** Stop whatever is running (snooze, disable). */
  cancelAll(): void {
    this.flight?.abort.abort();
  }

  async provide(doc: DocumentSnapshot, options: ProvideOptions = {}): Promise<Served | undefined> {
    const r = await this.resolve(doc, options);
    return r.kind === 'served' ? r.served : undefined;
  }

  /**
   * Like provide(), but says why nothing was served: `empty` is a definitive answer for this text (the model, or
   * the cache, had nothing worth showing), `none` means cancelled, stale, waiting cut short, or failed.
   */
  async resolve(doc: DocumentSnapshot, options: ProvideOptions = {}): Promise<Resolution> {
    const started = this.now();
    const none: Resolution = { kind: 'none' };
    this.counters.provideCalls++;
    const settings = this.deps.settings();
    const { signal } = options;
    if (signal?.aborted) return none;

    const strategy = await this.strategy(settings);
    if (strategy === undefined || signal?.aborted) return none;
    const plan = this.plan(doc, settings, strategy);
    const empty = (stats?: GenerationStats): Resolution => ({ kind: 'empty', latencyMs: this.now() - started, multiline: plan.multiline, stats });
    const key: CacheKey = { key: doc.key, offset: doc.offset, before: plan.before, after: plan.after, crlf: doc.eol === '\r\n' };

    const cached = this.deps.useCache === false ? undefined : this.cache.lookup(key);
    if (cached?.kind === 'hit') {
      this.counters.cacheHits++;
      return this.served({ text: toEol(cached.text, doc.eol), multiline: cached.text.includes('\n'), fromCache: true, latencyMs: this.now() - started }, options);
    }
    if (cached?.kind === 'empty' && !options.explicit) {
      this.counters.cacheHits++;
      return empty();
    }

    if (!options.explicit) {
      const delay = this.debounce.delayMs();
      if (delay > 0) {
        this.setPhase('waiting');
        const waited = await sleep(delay, signal);
        if (!waited) {
          if (!this.flight) this.setPhase('idle');
          return none;
        }
      }
    }

    const outcome = await this.join(plan, key, settings, signal);
    if (outcome === undefined) return none;
    if (signal?.aborted || options.isStale?.()) {
      this.counters.stale++;
      return none;
    }
    if (outcome.text === undefined) return empty(outcome.stats);
    return this.served({
      text: toEol(outcome.text, doc.eol), multiline: outcome.multiline, fromCache: false, latencyMs: this.now() - started, stats: outcome.stats,
    }, options);
  }

  /**
   * While the user is idle: take new extra-context chunks into the prompt and bring that prompt into the KV cache
   * now, so the next keystroke pays only for what it typed. Returns whether a warm-up ran.
   */
  async warm(doc: DocumentSnapshot, signal?: AbortSignal): Promise<boolean> {
    const settings = this.deps.settings();
    if (this.flight || !settings.extraContext || !this.ring.pending) return false;
    const strategy = await this.strategy(settings);
    if (strategy === undefined || this.flight || signal?.aborted) return false;
    this.ring.freeze();
    await this.prefill(this.plan(doc, settings, strategy), signal);
    return true;
  }

  /**
   * The cursor moved to a new place (a jump, another file): bring that place's prompt into the KV cache before
   * the user types there, so the first keystroke pays for what it typed instead of for the whole prompt.
   * Skipped when the prompt there is mostly the one already in the cache. Returns whether a warm-up ran.
   */
  async warmPlace(doc: DocumentSnapshot, signal?: AbortSignal): Promise<boolean> {
    const settings = this.deps.settings();
    if (this.flight) return false;
    const strategy = await this.strategy(settings);
    if (strategy === undefined || this.flight || signal?.aborted) return false;
    const plan = this.plan(doc, settings, strategy);
    const laid = this.laidOut(plan);
    if (sharedShare(laid, this.lastPrompt) >= PLACE_SHARED_ENOUGH) return false;
    this.counters.placeWarmups++;
    await this.prefill(plan, signal);
    return true;
  }

  private async prefill(plan: PromptPlan, signal?: AbortSignal): Promise<void> {
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort(), { once: true });
    this.counters.warmups++;
    this.lastPrompt = this.laidOut(plan);
    const flight: Flight = { id: 'warm', abort, waiters: 0, promise: Promise.resolve(undefined) };
    flight.promise = (async () => {
      try {
        if (plan.strategy === 'infill') {
          await this.deps.engine.prefill({ prefix: plan.prefix, suffix: plan.suffix, layout: 'spm' }, 'completion', { signal: abort.signal });
        } else {
          await this.deps.engine.prefill(plan.prefix, 'completion', { signal: abort.signal });
        }
      } catch (error) {
        if (!isCancelled(error)) this.deps.log?.(`completion warm-up failed: ${(error as Error).message}`);
      } finally {
        if (this.flight === flight) this.flight = undefined;
      }
      return undefined;
    })();
    this.flight = flight;
    await flight.promise;
  }

  private laidOut(plan: PromptPlan): string {
    return plan.strategy === 'infill' ? `${plan.suffix}\u0000${plan.prefix}` : plan.prefix;
  }

  private plan(doc: DocumentSnapshot, settings: CompletionSettings, strategy: 'infill' | 'complete'): PromptPlan {
    const plan = buildPrompt(doc, {
      budgets: { prefixTokens: settings.prefixTokens, suffixTokens: settings.suffixTokens, extraTokens: settings.extraContextTokens },
      strategy,
      extra: settings.extraContext ? this.ring.forPrompt(doc.relativePath) : [],
      previous: this.window,
      maxLines: settings.maxLines,
    });
    this.window = plan.window;
    return plan;
  }

  private async strategy(settings: CompletionSettings): Promise<'infill' | 'complete' | undefined> {
    const engine = this.deps.engine;
    let info = engine.loadedModel;
    if (!info) {
      this.setPhase('loading');
      try {
        info = await engine.modelInfo();
      } catch (error) {
        this.setPhase('idle');
        if (!isCancelled(error)) {
          this.counters.errors++;
          this.deps.reportError?.(error);
        }
        return undefined;
      }
      this.setPhase('idle');
    }
    if (!settings.fillInTheMiddle || !info.supportsInfill || this.infillUnavailableFor === info.path) return 'complete';
    return 'infill';
  }

  /** Newest wins, except that a request identical to the running one waits for it instead of restarting it. */
  private async join(plan: PromptPlan, key: CacheKey, settings: CompletionSettings, signal?: AbortSignal): Promise<Outcome | undefined> {
    const id = `${plan.strategy}\0${key.key}\0${key.offset}\0${key.before}\0${key.after}\0${plan.prefix.length}`;
    let flight = this.flight;
    if (!flight || flight.id !== id || flight.abort.signal.aborted) {
      flight?.abort.abort();
      flight = this.start(plan, key, settings, id);
    }
    const joined = flight;
    joined.waiters++;
    const leave = () => {
      joined.waiters--;
      if (joined.waiters <= 0) joined.abort.abort();
    };
    signal?.addEventListener('abort', leave, { once: true });
    try {
      return await joined.promise;
    } finally {
      signal?.removeEventListener('abort', leave);
    }
  }

  private start(plan: PromptPlan, key: CacheKey, settings: CompletionSettings, id: string): Flight {
    const abort = new AbortController();
    const engine = this.deps.engine;
    const sampling: SamplingOptions = plan.multiline
      ? { maxTokens: settings.maxTokens, temperature: 0, maxLines: settings.maxLines + 1, timeBudgetMs: settings.timeBudgetMs }
      : { maxTokens: Math.min(settings.maxTokens, settings.singleLineMaxTokens), temperature: 0, maxLines: 1, timeBudgetMs: settings.singleLineTimeBudgetMs };
    const counters = this.counters;
    counters.requests++;
    counters.inFlight++;
    counters.live++;
    counters.maxLive = Math.max(counters.maxLive, counters.live);
    this.lastPrompt = this.laidOut(plan);
    let live = true;
    const endLive = () => {
      if (live) counters.live--;
      live = false;
    };
    abort.signal.addEventListener('abort', endLive, { once: true });
    this.setPhase('generating');
    const startedAt = this.now();
    const flight: Flight = { id, abort, waiters: 0, promise: Promise.resolve(undefined) };
    flight.promise = (async (): Promise<Outcome | undefined> => {
      try {
        const result = plan.strategy === 'infill'
          ? await engine.infill(plan.prefix, plan.suffix, sampling, { signal: abort.signal, layout: 'spm' })
          : await engine.complete(plan.prefix, sampling, { signal: abort.signal, workload: 'completion' });
        const engineMs = this.now() - startedAt;
        this.debounce.recordLatency(engineMs);
        const post = postProcess(result.text, { ...plan.post, eol: '\n' });
        if (!post) counters.empty++;
        this.cache.put({ ...key, text: post?.text });
        return { text: post?.text, multiline: post?.multiline ?? false, stats: result.stats, engineMs };
      } catch (error) {
        if (isCancelled(error)) {
          counters.cancelled++;
          return undefined;
        }
        counters.errors++;
        if (error instanceof EngineError && error.code === 'NO_INFILL') this.infillUnavailableFor = engine.loadedModel?.path;
        this.deps.reportError?.(error);
        return undefined;
      } finally {
        counters.inFlight--;
        endLive();
        if (this.flight === flight) {
          this.flight = undefined;
          this.setPhase('idle');
        }
      }
    })();
    this.flight = flight;
    return flight;
  }

  private served(served: Served, options: ProvideOptions): Resolution {
    if (!options.background) {
      this.counters.shown++;
      this.lastLatencyMs = served.latencyMs;
    }
    if (!this.flight) this.setPhase('idle');
    else this.emit();
    return { kind: 'served', served };
  }

  private setPhase(phase: Phase): void {
    if (this.phaseNow === phase) return;
    this.phaseNow = phase;
    this.emit();
  }

  private emit(): void {
    this.phaseChanged.fire(this.phaseNow);
  }
}

