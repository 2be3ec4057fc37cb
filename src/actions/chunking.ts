/**
 * Text longer than the model's context is split at natural boundaries (blank lines, then lines, then sentences,
 * then words) and handled in pieces: map each piece, then reduce the answers, hierarchically if even the answers
 * do not fit together. Splitting is lossless (the pieces concatenate to the input), so a long rewrite can be
 * done piece by piece and reassembled.
 */

const BOUNDARIES: RegExp[] = [/\n[ \t]*\n+/g, /\n/g, /(?<=[.!?;:])[ \t]+/g, /[ \t]+/g];

/** Cuts after each separator, so every piece keeps the separator that followed it. */
function cutAfter(text: string, separator: RegExp): string[] {
  const pieces: string[] = [];
  let from = 0;
  for (const match of text.matchAll(separator)) {
    const end = match.index! + match[0].length;
    if (end > from && end < text.length) {
      pieces.push(text.slice(from, end));
      from = end;
    }
  }
  pieces.push(text.slice(from));
  return pieces.filter((p) => p.length > 0);
}

export function splitAtBoundaries(text: string, maxChars: number, level = 0): string[] {
  if (maxChars < 1) throw new RangeError('maxChars must be at least 1');
  if (text.length <= maxChars) return text.length ? [text] : [];
  if (level >= BOUNDARIES.length) {
    const hard: string[] = [];
    for (let i = 0; i < text.length; i += maxChars) hard.push(text.slice(i, i + maxChars));
    return hard;
  }
  const chunks: string[] = [];
  let current = '';
  for (const piece of cutAfter(text, BOUNDARIES[level])) {
    if (piece.length > maxChars) {
      if (current) chunks.push(current);
      current = '';
      chunks.push(...splitAtBoundaries(piece, maxChars, level + 1));
    } else if (current.length + piece.length > maxChars) {
      chunks.push(current);
      current = piece;
    } else {
      current += piece;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

export interface BudgetInput {
  /** Tokens the model can attend to (ModelInfo.contextSize). */
  contextSize: number;
  /** Tokens the prompt needs besides the text itself (instructions, chat template). */
  overheadTokens: number;
  /** Tokens kept free for the answer. */
  outputTokens: number;
  /** Measured characters per token for this text (from countTokens), or an estimate. */
  charsPerToken: number;
}

/** Characters of text one request can take, with a safety margin for the tokenizer's variance. */
export function inputBudgetChars(b: BudgetInput): number {
  const tokens = b.contextSize - b.overheadTokens - b.outputTokens;
  return Math.max(64, Math.floor(tokens * b.charsPerToken * 0.85));
}

/**
 * Characters per token for an action's prompt instructions, and for text the tokenizer could not measure (the
 * selection itself is measured with the real tokenizer, see runner.ts). Not the shared `CHARS_PER_TOKEN` (3.2):
 * the actions' budgets have always used 3.5, and a different ratio would move where long selections are split.
 */
export const ACTION_CHARS_PER_TOKEN = 3.5;

/** A cheap stand-in for the tokenizer, for the prompt's instructions. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / ACTION_CHARS_PER_TOKEN);
}

/**
 * Consecutive groups of answers to reduce together: each group's total fits `maxChars` where it can, and every
 * group has at least two members (otherwise a level would make no progress).
 */
export function planReduceGroups(lengths: readonly number[], maxChars: number): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let size = 0;
  lengths.forEach((length, index) => {
    if (current.length >= 2 && size + length > maxChars) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(index);
    size += length;
  });
  if (current.length === 1 && groups.length > 0) groups[groups.length - 1].push(current[0]);
  else if (current.length) groups.push(current);
  return groups;
}

/** Shortens the parts of one reduce group evenly so together they fit (a part cut short says so). */
export function fitParts(parts: readonly string[], maxChars: number): string[] {
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (total <= maxChars) return [...parts];
  const each = Math.max(32, Math.floor(maxChars / parts.length) - 2);
  return parts.map((p) => (p.length <= each ? p : `${p.slice(0, each).trimEnd()}…`));
}

export interface MapReduceSteps {
  maxChars: number;
  map(chunk: string, index: number, count: number): Promise<string>;
  /** `final`: this reduce produces the answer (callers stream only that one to the user). */
  reduce(parts: string[], final: boolean): Promise<string>;
  onProgress?(progress: { phase: 'map' | 'reduce'; done: number; total: number }): void;
}

/** Map every chunk, then reduce level by level until one answer is left. */
export async function mapReduce(chunks: readonly string[], steps: MapReduceSteps): Promise<string> {
  if (chunks.length === 0) return '';
  let parts: string[] = [];
  for (let i = 0; i < chunks.length; i++) {
    steps.onProgress?.({ phase: 'map', done: i, total: chunks.length });
    parts.push(await steps.map(chunks[i], i, chunks.length));
  }
  steps.onProgress?.({ phase: 'map', done: chunks.length, total: chunks.length });
  if (parts.length === 1) return parts[0];
  for (;;) {
    const groups = planReduceGroups(parts.map((p) => p.length), steps.maxChars);
    const next: string[] = [];
    for (let g = 0; g < groups.length; g++) {
      steps.onProgress?.({ phase: 'reduce', done: g, total: groups.length });
      const members = fitParts(groups[g].map((i) => parts[i]), steps.maxChars);
      next.push(await steps.reduce(members, groups.length === 1));
    }
    if (next.length === 1) return next[0];
    parts = next;
  }
}
