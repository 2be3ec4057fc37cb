/**
 * Prompt assembly for inline completions, laid out for the worker's KV-cache prefix reuse: the worker evaluates
 * only the tokens after the first one that differs from its previous completion prompt, so everything that stays
 * put while the user types comes first and the text being typed comes last.
 *
 * Fill-in-the-middle uses the suffix-first (SPM) layout: [SUF] suffix [PRE] extra context, header, prefix [MID].
 * Typing only appends to the prefix, and pressing Enter leaves the suffix untouched (it is anchored at the cursor).
 * Models without FIM tokens get the same text minus the suffix as a plain completion prompt.
 *
 * Window edges move as rarely as possible: the prefix window starts on a multiple of SNAP_LINES and keeps its
 * previous start while that still fits the budget, and the rest of the cursor's line is left out of the suffix when
 * it holds only closers (what auto-closing brackets leave), so typing `(` does not invalidate the whole prompt.
 */
import { toEol, tokensToChars, type Eol } from '../common/text';
import type { DocumentSnapshot } from './snapshot';
import { commentLine, isClosersOnly, opensBlock, type IndentStyle } from './text';

export const SNAP_LINES = 16;
/** Longest line kept verbatim; longer lines (minified code, data) are cut so one line cannot eat the budget. */
export const MAX_LINE_CHARS = 1000;
const MAX_PREFIX_LINES = 2000;
const MAX_SUFFIX_LINES = 400;
const NEXT_LINES_FOR_POST = 24;
/** How much text before the cursor identifies a request for the cache. */
const CACHE_KEY_CHARS = 1024;

export interface PromptBudgets {
  prefixTokens: number;
  suffixTokens: number;
  extraTokens: number;
}

export interface ContextChunk {
  /** Where the chunk comes from (a relative path, or "clipboard"). */
  source: string;
  text: string;
}

/** Remembered between requests so the window start does not wander. */
export interface WindowMemory {
  key: string;
  startLine: number;
}

export interface PostContext {
  linePrefix: string;
  lineSuffix: string;
  /** Document lines after the cursor's line. */
  nextLines: string[];
  indent: IndentStyle;
  eol: Eol;
  multiline: boolean;
  maxLines: number;
  languageId: string;
}

export interface PromptPlan {
  strategy: 'infill' | 'complete';
  /** Infill: extra context + header + prefix window. Complete: the whole prompt. */
  prefix: string;
  /** Infill only. */
  suffix: string;
  multiline: boolean;
  window: WindowMemory;
  post: PostContext;
  /** The text just before the cursor (bounded) and the suffix as sent, which identify the request for the cache. */
  before: string;
  after: string;
}

export interface PromptInput {
  budgets: PromptBudgets;
  strategy: 'infill' | 'complete';
  extra: readonly ContextChunk[];
  previous?: WindowMemory;
  maxLines: number;
}

function cap(line: string): string {
  return line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line;
}

/** Multi-line where a block starts or the cursor sits on an empty line; single-line elsewhere. */
export function decideMultiline(linePrefix: string, lineSuffix: string, languageId: string): boolean {
  if (lineSuffix.trim().length > 0 && !isClosersOnly(lineSuffix)) return false;
  if (linePrefix.trim().length === 0) return true;
  return opensBlock(linePrefix, languageId);
}

/**
 * Choose the first line of the prefix window. `sizes[i]` is the size of line `cursorLine - 1 - i` plus its line
 * break; `head` is the current line up to the cursor.
 */
export function chooseWindowStart(cursorLine: number, head: number, sizes: readonly number[], budget: number, previous?: number): number {
  const sizeFrom = (start: number) => {
    let total = head;
    for (let i = 0; i < cursorLine - start; i++) total += sizes[i];
    return total;
  };
  // Earliest start that fits the budget.
  let fit = cursorLine;
  let used = head;
  while (fit > 0 && cursorLine - fit < sizes.length && used + sizes[cursorLine - fit] <= budget) {
    used += sizes[cursorLine - fit];
    fit--;
  }
  if (fit === 0) return 0;
  if (previous !== undefined && previous >= fit && previous <= cursorLine && sizeFrom(previous) >= budget / 2) return previous;
  // Leave a quarter of the budget to grow into before the start has to move again.
  let target = cursorLine;
  used = head;
  while (target > fit && used + sizes[cursorLine - target] <= budget * 0.75) {
    used += sizes[cursorLine - target];
    target--;
  }
  const down = Math.floor(target / SNAP_LINES) * SNAP_LINES;
  if (down >= fit) return down;
  return Math.min(cursorLine, Math.ceil(target / SNAP_LINES) * SNAP_LINES);
}

/** The newest chunks that fit the budget, oldest first (the oldest change least, so they go furthest forward). */
export function formatExtra(chunks: readonly ContextChunk[], languageId: string, budgetChars: number): string {
  const picked: string[] = [];
  let used = 0;
  for (let i = chunks.length - 1; i >= 0; i--) {
    const chunk = chunks[i];
    const piece = `${commentLine(languageId, `File: ${chunk.source}`)}\n${toEol(chunk.text, '\n').trimEnd()}\n\n`;
    if (used + piece.length > budgetChars) continue;
    used += piece.length;
    picked.push(piece);
  }
  return picked.reverse().join('');
}

function fileHeader(doc: Pick<DocumentSnapshot, 'relativePath' | 'languageId'>): string {
  return `${commentLine(doc.languageId, `File: ${doc.relativePath} (${doc.languageId})`)}\n`;
}

export function buildPrompt(doc: DocumentSnapshot, input: PromptInput): PromptPlan {
  const current = doc.lineAt(doc.line);
  const fullHead = current.slice(0, doc.character);
  const head = fullHead.length > MAX_LINE_CHARS ? fullHead.slice(-MAX_LINE_CHARS) : fullHead;
  const rest = current.slice(doc.character, doc.character + MAX_LINE_CHARS);

  // Prefix window.
  const prefixBudget = tokensToChars(input.budgets.prefixTokens);
  const sizes: number[] = [];
  let total = head.length;
  for (let l = doc.line - 1; l >= 0 && sizes.length < MAX_PREFIX_LINES; l--) {
    const size = cap(doc.lineAt(l)).length + 1;
    sizes.push(size);
    total += size;
    if (total > prefixBudget) break;
  }
  const previous = input.previous?.key === doc.key ? input.previous.startLine : undefined;
  const start = chooseWindowStart(doc.line, head.length, sizes, prefixBudget, previous);
  const lines: string[] = [];
  for (let l = start; l < doc.line; l++) lines.push(cap(doc.lineAt(l)));
  lines.push(head);
  const windowText = lines.join('\n');

  // Suffix: anchored at the cursor, so it only changes when the cursor moves or the text after it changes.
  const suffixBudget = tokensToChars(input.budgets.suffixTokens);
  const suffix = contiguousSuffix(isClosersOnly(rest) ? '' : rest, doc, suffixBudget);
  const nextLines: string[] = [];
  for (let l = doc.line + 1; l < doc.lineCount && nextLines.length < NEXT_LINES_FOR_POST; l++) nextLines.push(cap(doc.lineAt(l)));

  const extra = formatExtra(input.extra, doc.languageId, tokensToChars(input.budgets.extraTokens));
  const prefix = extra + fileHeader(doc) + windowText;
  const multiline = decideMultiline(fullHead, rest, doc.languageId);
  return {
    strategy: input.strategy,
    prefix,
    suffix: input.strategy === 'infill' ? suffix : '',
    multiline,
    window: { key: doc.key, startLine: start },
    post: {
      linePrefix: fullHead, lineSuffix: current.slice(doc.character), nextLines, indent: doc.indent, eol: doc.eol,
      multiline, maxLines: multiline ? input.maxLines : 1, languageId: doc.languageId,
    },
    before: windowText.slice(-CACHE_KEY_CHARS),
    after: suffix.slice(0, 256),
  };
}

function contiguousSuffix(first: string, doc: DocumentSnapshot, budget: number): string {
  let suffix = first;
  for (let l = doc.line + 1; l < doc.lineCount && l <= doc.line + MAX_SUFFIX_LINES; l++) {
    const line = cap(doc.lineAt(l));
    if (suffix.length + line.length + 1 > budget) break;
    suffix += `\n${line}`;
  }
  return suffix;
}
