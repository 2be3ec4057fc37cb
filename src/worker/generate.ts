/**
 * The one generation loop every request goes through: reuse the KV cache for the prompt's shared prefix,
 * evaluate the rest in short slices (so a cancel lands between slices instead of after the whole prompt), then
 * sample token by token with stop conditions checked as text arrives.
 */
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { GenerationResult, GenerationStats, SamplingOptions, StopReason } from '../common/protocol';
import { CancelledError } from '../common/errors';
import { cutText, partialStopLength } from '../common/stopText';

/**
 * A prompt is evaluated in slices because llama.cpp cannot be interrupted inside one decode call. A cancel is
 * answered at once (the worker does not wait for the slice), but the lane stays busy until the slice ends, so
 * the slice length bounds how long a *new* request waits. Short slices cost throughput: each one reads all the
 * weights once. So a prompt's first slices are short (a keystroke usually supersedes a request within its first
 * ~100 ms) and they grow as the prompt ages, up to MAX_SLICE_MS.
 */
export const FIRST_SLICE_MS = 60;
export const MAX_SLICE_MS = 240;
/** Slice target as a share of the time the prompt has already been evaluating. */
const GROWTH = 0.6;

export function sliceTargetMs(ageMs: number, maxMs = MAX_SLICE_MS): number {
  return Math.max(FIRST_SLICE_MS, Math.min(maxMs, ageMs * GROWTH));
}

/**
 * Learns the evaluation speed (tokens per ms), shared by all requests of a worker, and turns a time target into
 * a slice length. Never fewer than MIN_SLICE_TOKENS: on a busy machine each decode call also waits for a core,
 * and a speed estimate that shrank slices toward a few tokens would make that wait the whole cost (measured
 * under a load of 14 on 2 cores: 9-token slices at 150-450 ms each, a 1,300-token prompt in 23 s).
 */
export const MIN_SLICE_TOKENS = 32;
export class SliceSizer {
  private rate = 0.5;
  record(tokens: number, ms: number): void {
    if (tokens < 4 || ms <= 0) return;
    this.rate = this.rate * 0.5 + (tokens / ms) * 0.5;
  }
  sizeFor(targetMs: number): number {
    return Math.max(MIN_SLICE_TOKENS, Math.min(512, Math.round(this.rate * targetMs)));
  }
}

/**
 * Typing at a new place sends a request per keystroke, each superseding the last within a slice or two. Sized by
 * each request's own age, every slice stays at its shortest and the whole new prompt is evaluated at the
 * throughput of the smallest batches (on one thread here: 152 tok/s in 32-token slices against 241 unsliced).
 * Consecutive prefills of one sequence that build on each other's work are one run, and slices grow with the
 * run's age: the slice a newer keystroke waits for evaluates tokens that keystroke's prompt shares.
 */
export const RUN_GAP_MS = 400;
export class PrefillRun {
  private startedAt = 0;
  private startIndex = -1;
  private lastSliceAt = -Infinity;

  /**
   * When this prefill's run began: earlier, when the last slice ended moments ago and this prompt keeps tokens the
   * run evaluated (`reused` beyond where it started); now otherwise (a jump elsewhere, or after a pause).
   */
  join(now: number, reused: number): number {
    if (now - this.lastSliceAt > RUN_GAP_MS || reused <= this.startIndex) {
      this.startedAt = now;
      this.startIndex = reused;
    }
    return this.startedAt;
  }

  sliceDone(now: number): void {
    this.lastSliceAt = now;
  }

  /** The prompt is in: what follows (generation, then a keystroke's few tokens) starts no run of its own. */
  end(): void {
    this.lastSliceAt = -Infinity;
    this.startIndex = -1;
  }
}

export function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export interface GenerateArgs {
  sequence: LlamaContextSequence;
  model: LlamaModel;
  tokens: Token[];
  sampling?: SamplingOptions;
  /** Tokens that end generation besides the model's end-of-generation tokens. */
  stopTokens?: ReadonlySet<Token>;
  signal: AbortSignal;
  sizer: SliceSizer;
  onText?: (text: string) => void;
  /** Longest slice this request may run (a lane that must yield quickly passes less). */
  maxSliceMs?: number;
  /** Awaited before each slice and each token: lets a more urgent lane go first. */
  yieldTo?: () => Promise<void>;
  /**
   * Told before each prompt slice and each generated token: they may run on different thread counts. Returns the
   * count set, which `decoded` is told with the decode's timing.
   */
  phase?: (phase: 'batch' | 'generation') => number;
  decoded?: (phase: 'batch' | 'generation', threads: number, tokens: number, ms: number) => void;
  /** The sequence's prefill run: slices grow with its age rather than this request's. */
  run?: PrefillRun;
}

function throwIfAborted(signal: AbortSignal, partial: string) {
  if (signal.aborted) throw new CancelledError('cancel', partial);
}

/**
 * Bring the sequence to hold `tokens` (all of them when `keepLast` is false, all but the last otherwise),
 * evaluating only what differs from what it holds now.
 */
async function prefill(args: GenerateArgs, tokens: Token[], keepLast: boolean, upTo?: number): Promise<{ evaluated: number; reused: number; ms: number }> {
  const { sequence, signal, sizer } = args;
  const started = performance.now();
  const target = Math.min(upTo ?? Infinity, keepLast ? tokens.length - 1 : tokens.length);
  let reused = Math.min(commonPrefixLength(sequence.contextTokens, tokens), target);
  // Evaluating only a stable prefix that is already there: leave what follows it for the next request to judge.
  if (upTo !== undefined && reused >= target) return { evaluated: 0, reused, ms: performance.now() - started };
  if (sequence.nextTokenIndex > reused) {
    await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
    reused = sequence.nextTokenIndex;
  }
  let index = reused;
  const runStarted = args.run ? args.run.join(started, reused) : started;
  while (index < target) {
    throwIfAborted(signal, '');
    if (args.yieldTo) {
      await args.yieldTo();
      throwIfAborted(signal, '');
    }
    const threads = args.phase?.('batch') ?? 0;
    const size = sizer.sizeFor(sliceTargetMs(performance.now() - runStarted, args.maxSliceMs));
    const slice = tokens.slice(index, Math.min(target, index + size));
    const t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(slice);
    const t1 = performance.now();
    sizer.record(slice.length, t1 - t0);
    args.decoded?.('batch', threads, slice.length, t1 - t0);
    args.run?.sliceDone(t1);
    index += slice.length;
  }
  throwIfAborted(signal, '');
  return { evaluated: target - reused, reused, ms: performance.now() - started };
}

/** Drop the oldest tokens (keeping a leading BOS) so prompt + generation fit in the sequence. */
export function fitToContext(tokens: Token[], contextSize: number, reserve: number, bos: Token | null): { tokens: Token[]; dropped: number } {
  const room = Math.max(8, contextSize - reserve - 1);
  if (tokens.length <= room) return { tokens, dropped: 0 };
  const keepBos = bos !== null && tokens[0] === bos;
  const tail = tokens.slice(tokens.length - (room - (keepBos ? 1 : 0)));
  return { tokens: keepBos ? [bos, ...tail] : tail, dropped: tokens.length - room };
}

/**
 * How much of a prompt is likely to survive the next keystroke: all but its last tokens (the line being typed
 * and, for fill-in-the-middle, the middle marker).
 */
export function stableLength(tokens: readonly Token[]): number {
  return Math.max(0, tokens.length - Math.min(24, Math.ceil(tokens.length * 0.1)));
}

/** Evaluates `args.tokens` into the sequence without generating; `upTo` stops early (a stable prefix). */
export async function evaluateOnly(args: GenerateArgs, upTo?: number): Promise<GenerationStats> {
  const started = performance.now();
  const fitted = fitToContext(args.tokens, args.sequence.contextSize, 64, args.model.tokens.bos);
  const p = await prefill(args, fitted.tokens, false, upTo === undefined ? undefined : upTo - (args.tokens.length - fitted.tokens.length));
  return {
    promptTokens: fitted.tokens.length, evaluatedTokens: p.evaluated, reusedTokens: p.reused, generatedTokens: 0,
    promptMs: p.ms, generationMs: 0, totalMs: performance.now() - started, truncatedTokens: fitted.dropped,
  };
}

export async function generate(args: GenerateArgs): Promise<Omit<GenerationResult, 'model'>> {
  const { sequence, model, signal } = args;
  const sampling = args.sampling ?? { maxTokens: 128 };
  const started = performance.now();
  const maxTokens = Math.max(1, Math.min(sampling.maxTokens, sequence.contextSize - 2));
  const fitted = fitToContext(args.tokens, sequence.contextSize, Math.min(maxTokens, Math.floor(sequence.contextSize / 2)), model.tokens.bos);
  const tokens = fitted.tokens;
  if (tokens.length === 0) throw new Error('Empty prompt');

  const p = await prefill(args, tokens, true);
  args.run?.end();
  const genStarted = performance.now();
  const stops = (sampling.stop ?? []).filter((s) => s.length > 0);
  const generated: Token[] = [];
  let emitted = '';
  let text = '';
  let stopReason: StopReason = 'maxTokens';

  const context = tokens.slice(-8);
  let threads = args.phase?.('generation') ?? 0;
  let decodeStarted = performance.now();
  const iterator = sequence.evaluate([tokens[tokens.length - 1]], {
    temperature: sampling.temperature ?? 0,
    topK: sampling.topK,
    topP: sampling.topP,
    seed: sampling.seed,
  });
  try {
    for await (const token of iterator) {
      const arrived = performance.now();
      // The first token's decode also holds the prompt's last token: a prompt-sized timing, not a token's.
      if (generated.length > 0) args.decoded?.('generation', threads, 1, arrived - decodeStarted);
      throwIfAborted(signal, emitted);
      if (args.yieldTo) {
        await args.yieldTo();
        throwIfAborted(signal, emitted);
      }
      if (model.isEogToken(token) || args.stopTokens?.has(token)) {
        stopReason = 'eos';
        break;
      }
      generated.push(token);
      // With the prompt's last tokens as context, a first token like "▁loved" keeps its leading space
      // (detokenized alone, SentencePiece models drop it: "She" + "loved").
      text = model.detokenize(generated, false, context);
      const cut = cutText(text, stops, sampling.maxLines);
      const visible = cut.visible;
      let done = cut.reason !== undefined;
      if (cut.reason) stopReason = cut.reason;
      if (!done && generated.length >= maxTokens) {
        stopReason = 'maxTokens';
        done = true;
      }
      if (!done && sampling.timeBudgetMs !== undefined && performance.now() - genStarted > sampling.timeBudgetMs) {
        stopReason = 'timeBudget';
        done = true;
      }
      if (!done && sequence.nextTokenIndex >= sequence.contextSize - 1) {
        stopReason = 'contextFull';
        done = true;
      }
      // Hold back an incomplete UTF-8 character and anything that may be the start of a stop string.
      let safe = visible;
      if (!done) {
        safe = safe.replace(/\uFFFD+$/, '');
        safe = safe.slice(0, safe.length - partialStopLength(safe, stops));
      }
      if (safe.length > emitted.length && safe.startsWith(emitted)) {
        args.onText?.(safe.slice(emitted.length));
        emitted = safe;
      }
      text = visible;
      if (done) break;
      // node-llama-cpp reads the thread count before each decode: the next token's may differ.
      threads = args.phase?.('generation') ?? 0;
      decodeStarted = performance.now();
    }
  } finally {
    await iterator.return(undefined).catch(() => undefined);
  }
  throwIfAborted(signal, emitted);
  if (text.length > emitted.length && text.startsWith(emitted)) args.onText?.(text.slice(emitted.length));
  const end = performance.now();
  return {
    text,
    stopReason,
    stats: {
      promptTokens: tokens.length, evaluatedTokens: p.evaluated + 1, reusedTokens: p.reused, generatedTokens: generated.length,
      promptMs: p.ms, generationMs: end - genStarted, totalMs: end - started, truncatedTokens: fitted.dropped,
    },
  };
}

