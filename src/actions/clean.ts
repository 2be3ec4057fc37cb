/**
 * Turns what a model says into what goes into the document. Models wrap answers in code fences, open with
 * "Here is the rewritten text:", close with "Let me know if…", and ignore indentation; none of that may land in
 * the user's file. The result keeps the selection's indentation, its leading and trailing whitespace and the
 * document's line endings. Runs on partial text while streaming (`final: false`), so it never assumes an end.
 */
import { eolOf, indentWidth, leadingWhitespace, toEol, type Eol } from '../common/text';

export interface ReplacementContext {
  /** The text being replaced, exactly as in the document. */
  original: string;
  /** The selection starts after other text on its first line, so that line has no indentation of its own. */
  startsMidLine?: boolean;
  /** Line ending of the document. */
  eol?: Eol;
  /** Spaces per tab when converting between tabs and spaces. */
  tabSize?: number;
}

const FENCE_LINE = /^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n`]*$/;

/** Openers models put before the answer. Short, and never a whole answer by themselves. */
const PREAMBLE_PATTERNS = [
  /^(?:(?:sure|certainly|okay|ok|of course|absolutely|great|alright)\b[!,.]?\s*)?(?:here(?:'s| is| are)|below is|below are|this is|the following is)\b[^\n]{0,120}[:.!]?\s*$/i,
  /^(?:sure|certainly|okay|ok|of course|absolutely|great|alright)[!,.]*\s*$/i,
  /^(?:the\s+)?(?:rewritten|revised|improved|updated|corrected|transformed|cleaned[- ]up|tidied|refactored|edited|fixed|new|final)\s+(?:text|version|code|paragraph|snippet|function|sentence|result|output)\s*:\s*$/i,
  /^(?:result|output|answer|rewrite|revision)\s*:\s*$/i,
];

/** Closers models put after the answer. */
const CHATTER_PATTERNS = [
  /^(?:let me know|i hope|hope this|feel free|if you (?:have|need|want|would)|happy to help)/i,
  /^(?:note|explanation|changes(?: made)?|summary of changes|what (?:i|was) changed|key changes)\s*:/i,
  /^(?:i (?:have|'ve)|i made|i changed|i fixed|i kept|i removed|i replaced|i added)\b/i,
  /^(?:this|these|the (?:above|rewritten|revised|updated|new|improved|refactored|tidied|cleaned[- ]up|code|text|changes?))\b[^\n]*\b(?:version|rewrite|changes?|improves?|improved|keeps?|kept|maintains?|preserves?|retains?|behaviou?r|readab\w*|clearer|functionality)\b/i,
];

function isPreamble(line: string, original: string): boolean {
  const trimmed = line.trim();
  if (!trimmed || original.trimStart().startsWith(trimmed)) return false;
  return PREAMBLE_PATTERNS.some((p) => p.test(trimmed));
}

function isChatter(paragraph: string, original: string): boolean {
  const trimmed = paragraph.trim();
  if (!trimmed || original.includes(trimmed)) return false;
  return CHATTER_PATTERNS.some((p) => p.test(trimmed));
}

/** Drops openers (a preamble line, then blank lines) from the start. Streaming: only complete lines. */
function dropPreamble(text: string, original: string, final: boolean): string {
  let rest = text;
  for (let guard = 0; guard < 3; guard++) {
    const newline = rest.indexOf('\n');
    const firstLine = newline === -1 ? rest : rest.slice(0, newline);
    if (newline === -1 && !final) {
      // An unfinished first line that may turn out to be an opener stays hidden until its line ends.
      return /^\s*(?:sure|certainly|okay|ok\b|of course|absolutely|great|alright|here|below|this is|the following|the (?:rewritten|revised))/i.test(firstLine) ? '' : rest;
    }
    if (!isPreamble(firstLine, original)) return rest;
    // A preamble directly followed by content on the same answer, e.g. "Sure! Here it is:\n\ncode".
    rest = newline === -1 ? '' : rest.slice(newline + 1).replace(/^(?:[ \t]*\n)+/, '');
  }
  return rest;
}

interface FenceSplit {
  before: string;
  body: string;
  closed: boolean;
}

/** The first fenced block: text before it, its body, whether its closing fence arrived. */
function firstFence(text: string): FenceSplit | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_LINE.exec(lines[i]);
    if (!open) continue;
    // A lone line that is still streaming ("``") is not yet a fence.
    const marker = open[1];
    for (let j = i + 1; j < lines.length; j++) {
      const close = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(lines[j]);
      if (close && close[1][0] === marker[0] && close[1].length >= marker.length) {
        return { before: lines.slice(0, i).join('\n'), body: lines.slice(i + 1, j).join('\n'), closed: true };
      }
    }
    return { before: lines.slice(0, i).join('\n'), body: lines.slice(i + 1).join('\n'), closed: false };
  }
  return undefined;
}

/** Removes fences, preambles and closing chatter: what is left is the answer itself. */
export function stripWrapping(raw: string, original: string, final: boolean): string {
  let text = raw.replace(/\r\n?/g, '\n');
  const originalHasFence = original.split(/\r?\n/).some((l) => FENCE_LINE.test(l));
  text = dropPreamble(text, original, final);

  const fenced = firstFence(text);
  if (fenced) {
    if (!originalHasFence) {
      // Whatever surrounds the block is talk about it; the block is the answer.
      const beforeIsTalk = !fenced.before.trim() || fenced.before.split('\n').every((l) => !l.trim() || isPreamble(l, original) || /:\s*$/.test(l.trim()));
      if (beforeIsTalk) return fenced.body;
    } else if (!fenced.before.trim() && !FENCE_LINE.test(original.trimStart().split('\n')[0] ?? '')) {
      // The original has its own code blocks: unwrap only a fence that encloses the whole answer.
      const trimmed = text.trim();
      const lines = trimmed.split('\n');
      const last = lines[lines.length - 1];
      const open = FENCE_LINE.exec(lines[0]);
      if (open && lines.length >= 2 && /^[ \t]*(`{3,}|~{3,})[ \t]*$/.test(last) && last.trim()[0] === open[1][0] && last.trim().length === open[1].length) {
        return lines.slice(1, -1).join('\n');
      }
      if (open && !final && /^(?:markdown|md|text|)$/i.test(open[2])) return lines.slice(1).join('\n');
    }
  }

  if (final) {
    // Closing chatter is a last paragraph (or several) separated from the answer by a blank line.
    const paragraphs = text.replace(/\s+$/, '').split(/\n[ \t]*\n/);
    while (paragraphs.length > 1 && isChatter(paragraphs[paragraphs.length - 1], original)) paragraphs.pop();
    while (paragraphs.length > 1 && /^\s*(?:-{3,}|\*{3,}|_{3,})\s*$/.test(paragraphs[paragraphs.length - 1])) paragraphs.pop();
    text = paragraphs.join('\n\n');
    // "-- " style separators just before the chatter that was removed.
    text = text.replace(/\n[ \t]*(?:-{3,}|\*{3,})[ \t]*$/, '');
    // An answer wrapped in quotes the original did not have.
    const t = text.trim();
    const quoted = /^"[^"]*"$/.test(t) || /^“[^“”]*”$/.test(t);
    if (quoted && !/^["“]/.test(original.trim())) text = t.slice(1, -1);
  }
  return text;
}

/** The most common step between indentation levels: 2, 4 or 8 for spaces. */
function indentUnit(widths: number[], fallback: number): number {
  const steps = widths.filter((w) => w > 0);
  if (steps.length === 0) return fallback;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = steps.reduce((a, b) => gcd(a, b));
  return g >= 2 ? g : fallback;
}

/**
 * Re-indents `text` so its least-indented line sits at the original's least indentation, keeping the nesting
 * inside it, and converts its indentation to the original's style (tabs or spaces).
 */
export function reindent(text: string, ctx: ReplacementContext): string {
  const tabSize = ctx.tabSize ?? 4;
  const originalLines = ctx.original.replace(/\r\n?/g, '\n').split('\n');
  const considered = (lines: string[]) => lines.map((l, i) => ({ l, i })).filter(({ l, i }) => l.trim() && !(i === 0 && ctx.startsMidLine));

  const originalIndents = considered(originalLines).map(({ l }) => leadingWhitespace(l));
  if (originalIndents.length === 0 && !text.includes('\n')) return text;
  const base = originalIndents.reduce<string | undefined>((min, ind) => (min === undefined || indentWidth(ind, tabSize) < indentWidth(min, tabSize) ? ind : min), undefined) ?? '';
  const useTabs = originalIndents.some((ind) => ind.includes('\t')) || base.includes('\t');
  const originalRelative = originalIndents.map((ind) => indentWidth(ind, tabSize) - indentWidth(base, tabSize));
  const originalUnit = indentUnit(originalRelative, tabSize);
  const originalNests = originalRelative.some((w) => w > 0);

  const lines = text.split('\n');
  const body = considered(lines);
  if (body.length === 0) return text;
  const outMin = Math.min(...body.map(({ l }) => indentWidth(l, tabSize)));
  const outUnit = indentUnit(body.map(({ l }) => indentWidth(l, tabSize) - outMin), 4);

  return lines
    .map((line, i) => {
      if (i === 0 && ctx.startsMidLine) return line;
      if (!line.trim()) return '';
      const relative = indentWidth(line, tabSize) - outMin;
      const levels = Math.floor(relative / outUnit);
      const extra = relative - levels * outUnit;
      const step = useTabs ? '\t' : ' '.repeat(originalNests ? originalUnit : outUnit);
      return base + step.repeat(levels) + ' '.repeat(extra) + line.slice(leadingWhitespace(line).length);
    })
    .join('\n');
}

/**
 * The full cleaning for a replacement (or an insertion) of `ctx.original`. Leading blank lines and the trailing
 * whitespace of the original are reproduced exactly, so a selection of whole lines stays whole lines.
 */
export function cleanReplacement(raw: string, ctx: ReplacementContext, final: boolean): string {
  const original = ctx.original.replace(/\r\n?/g, '\n');
  let text = stripWrapping(raw, original, final);
  text = text.replace(/^(?:[ \t]*\n)+/, '').replace(/[ \t]+$/gm, '');
  text = final ? text.replace(/\s+$/, '') : text.replace(/\n+$/, '');
  if (ctx.startsMidLine) text = text.replace(/^[ \t]+/, '');
  text = reindent(text, { ...ctx, original });
  if (text.length > 0) {
    const leading = /^(?:[ \t]*\n)*/.exec(original)![0].replace(/[ \t]+/g, '');
    const trailing = final ? /\s*$/.exec(original)![0].replace(/^[ \t]+/, '') : '';
    text = leading + text + trailing;
  }
  return toEol(text, ctx.eol ?? eolOf(ctx.original));
}

/** Cleaning for a Markdown answer shown to the user (summaries, explanations): unwrap, keep the content. */
export function cleanMarkdown(raw: string, final: boolean): string {
  let text = raw.replace(/\r\n?/g, '\n');
  text = dropPreamble(text, '', final);
  const lines = text.trim().split('\n');
  const open = FENCE_LINE.exec(lines[0] ?? '');
  if (open && /^(?:markdown|md)$/i.test(open[2])) {
    const last = lines[lines.length - 1];
    const closed = lines.length >= 2 && /^[ \t]*(`{3,}|~{3,})[ \t]*$/.test(last);
    text = lines.slice(1, closed ? -1 : undefined).join('\n');
  }
  return final ? text.trim() + '\n' : text.replace(/^\s+/, '');
}
