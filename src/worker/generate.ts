/**
 * The one generation loop every request goes through: reuse the KV cache for the prompt's shared prefix,
 * evaluate the rest in short slices (so a cancel lands between slices instead of after the whole prompt), then
 * sample token by token with stop conditions checked as text arrives.
 */
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { GenerationResult, GenerationStats, SamplingOptions, StopReason } from '../common/protocol';
import { CancelledError } from '../common/errors';
import { findStop, partialStopLength } from '../common/stopText';

/**
 * Slices aim at this much evaluation time: about the longest a cancel waits during a prompt. Smaller slices
 * cancel sooner but evaluate slower, since every slice reads all the weights once and late slices attend over
 * a long cache. Measured on the 0.4B proxy, 1 thread, a 1,000-token prompt (npm run bench): 40 ms slices
 * 144 tok/s (cancel p90 37 ms), 70 ms 178 tok/s (max 64 ms), 100 ms 194 tok/s; unsliced 332 tok/s but a
 * cancel then waits ~3 s.
 */
const SLICE_TARGET_MS = 50;

/**
 * Adapts the prompt slice size to the measured evaluation speed, shared by all requests of a worker. It shrinks
 * at once when a slice ran long and grows slowly, because a slice costs more the further into the context it
 * lies: growing on the speed of early slices overshoots on the late ones.
 */
export class SliceSizer {
  size = 32;
  record(tokens: number, ms: number): void {
    if (tokens < 4 || ms <= 0) return;
    const ideal = (tokens / ms) * SLICE_TARGET_MS;
    // Grow only after a slice that ran well under the target, and by a quarter at most: the next slice also
    // starts deeper in the context, where each token costs more.
    const next = ideal < this.size ? ideal : ms < SLICE_TARGET_MS * 0.7 ? Math.min(ideal, this.size * 1.25) : this.size;
    this.size = Math.max(4, Math.min(512, Math.round(next)));
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
}

function throwIfAborted(signal: AbortSignal, partial: string) {
  if (signal.aborted) throw new CancelledError('cancel', partial);
}

/**
 * Bring the sequence to hold `tokens` (all of them when `keepLast` is false, all but the last otherwise),
 * evaluating only what differs from what it holds now.
 */
async function prefill(args: GenerateArgs, tokens: Token[], keepLast: boolean): Promise<{ evaluated: number; reused: number; ms: number }> {
  const { sequence, signal, sizer } = args;
  const started = performance.now();
  const target = keepLast ? tokens.length - 1 : tokens.length;
  let reused = Math.min(commonPrefixLength(sequence.contextTokens, tokens), target);
  if (sequence.nextTokenIndex > reused) {
    await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
    reused = sequence.nextTokenIndex;
  }
  let index = reused;
  while (index < target) {
    throwIfAborted(signal, '');
    const slice = tokens.slice(index, Math.min(target, index + sizer.size));
    const t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(slice);
    sizer.record(slice.length, performance.now() - t0);
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

export async function evaluateOnly(args: GenerateArgs): Promise<GenerationStats> {
  const started = performance.now();
  const fitted = fitToContext(args.tokens, args.sequence.contextSize, 64, args.model.tokens.bos);
  const p = await prefill(args, fitted.tokens, false);
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
  const genStarted = performance.now();
  const stops = (sampling.stop ?? []).filter((s) => s.length > 0);
  const generated: Token[] = [];
  let emitted = '';
  let text = '';
  let stopReason: StopReason = 'maxTokens';

  const context = tokens.slice(-8);
  const iterator = sequence.evaluate([tokens[tokens.length - 1]], {
    temperature: sampling.temperature ?? 0,
    topK: sampling.topK,
    topP: sampling.topP,
    seed: sampling.seed,
  });
  try {
    for await (const token of iterator) {
      throwIfAborted(signal, emitted);
      if (model.isEogToken(token) || args.stopTokens?.has(token)) {
        stopReason = 'eos';
        break;
      }
      generated.push(token);
      // With the prompt's last tokens as context, a first token like "▁loved" keeps its leading space
      // (detokenized alone, SentencePiece models drop it: "She" + "loved").
      text = model.detokenize(generated, false, context);
      let visible = text;
      let done = false;
      const stop = findStop(text, stops);
      if (stop !== undefined) {
        visible = text.slice(0, stop);
        stopReason = 'stop';
        done = true;
      }
      if (!done && sampling.maxLines !== undefined) {
        const cut = nthNewline(visible, sampling.maxLines);
        if (cut !== -1) {
          visible = visible.slice(0, cut);
          stopReason = 'maxLines';
          done = true;
        }
      }
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

function nthNewline(text: string, lines: number): number {
  let index = -1;
  for (let i = 0; i < lines; i++) {
    index = text.indexOf('\n', index + 1);
    if (index === -1) return -1;
  }
  return index;
}
