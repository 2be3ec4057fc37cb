/**
 * Turns raw model output into a suggestion worth showing, or nothing. Small models ramble: they run past the end
 * of the block, re-type the code below the cursor, close brackets the editor already closed, and loop. Each rule
 * here removes one of those habits; the order matters (markers first, the document's own style last).
 */
import { indentWidth, leadingWhitespace, toEol } from '../common/text';
import type { PostContext } from './prompt';
import { CLOSERS, QUOTES, renderIndent } from './text';

/** Control tokens some models print as text; everything from the first one on is noise. */
const LEAKED_MARKER = /<\|?(?:fim[_-]?(?:prefix|suffix|middle|pad|sep)|file_sep|repo_name|endoftext|end_of_text|im_start|im_end|eot_id|eos)\|?>|<(?:PRE|SUF|MID|EOT)>|<\/s>|▁<(?:PRE|SUF|MID)>/;

/** Lines that close the block they are indented with (kept, then the suggestion ends). */
const BLOCK_CLOSER = /^\s*(?:[)\]}]|end\b|fi\b|done\b|esac\b)/;
/** Lines that close one block and open the next (`} else {`, `else:`), which do not end the suggestion. */
const BLOCK_CONTINUER = /^\s*(?:[)\]}]\s*)?(?:else|elif|elsif|except|finally|catch|case|default|when|rescue)\b|^\s*[)\]}].*[{([:]\s*$/;

export interface Suggestion {
  /** Text to insert at the cursor, in the document's line endings. */
  text: string;
  multiline: boolean;
}

export function postProcess(raw: string, ctx: PostContext): Suggestion | undefined {
  let text = toEol(raw, '\n');
  const marker = LEAKED_MARKER.exec(text);
  if (marker) text = text.slice(0, marker.index);

  let lines = text.split('\n').map((l) => l.replace(/[ \t]+$/, (ws, at: number) => (at === 0 ? ws : '')));
  if (!ctx.multiline) lines = lines.slice(0, 1);
  // Keep the first line's leading spaces only where they matter (indentation on an empty line).
  if (ctx.linePrefix.length > 0 && /[ \t]$/.test(ctx.linePrefix)) lines[0] = lines[0].replace(/^[ \t]+/, '');
  // At the start of a line, one space before a word is the word separator SentencePiece models emit ("▁Once"),
  // not indentation, unless the document really indents by one space.
  if (ctx.linePrefix.length === 0 && !(ctx.indent.size === 1 && !ctx.indent.useTabs)) lines[0] = lines[0].replace(/^ (?=\S)/, '');
  if (ctx.multiline) {
    lines = cutAtBlockEnd(lines, ctx);
    lines = cutSuffixRepeat(lines, ctx);
    if (isSelfRepeating(lines.join('\n'))) return undefined;
    lines = cutRepeatedLines(lines);
    if (lines.length > ctx.maxLines) lines = lines.slice(0, ctx.maxLines);
  }
  while (lines.length > 1 && lines[lines.length - 1].trim() === '') lines.pop();
  lines = fixIndentStyle(lines, ctx);

  let joined = lines.join('\n').trimEnd();
  joined = dropRepeatOfLineSuffix(joined, ctx.lineSuffix);
  joined = dropClosersAlreadyThere(joined, ctx.lineSuffix, ctx.linePrefix);
  if (joined.trim().length === 0) return undefined;
  if (isSelfRepeating(joined)) return undefined;
  if (duplicatesNextLine(joined, ctx)) return undefined;
  return { text: toEol(joined, ctx.eol), multiline: joined.includes('\n') };
}

/** Index just past the block opened by `lines[start]` at indentation `indent`: its body and its closing line. */
function blockEnd(lines: string[], start: number, indent: number, tab: number): number {
  let i = start + 1;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const width = indentWidth(line, tab);
    if (width > indent || (width === indent && BLOCK_CONTINUER.test(line))) {
      i++;
      continue;
    }
    return width === indent && BLOCK_CLOSER.test(line) ? i + 1 : i;
  }
  return i;
}

const OPENS_AT_END = /(?:[{([:]|=>|->)\s*$/;

/** Stop where the indentation says the block (or the run of statements) the cursor is in has ended. */
function cutAtBlockEnd(lines: string[], ctx: PostContext): string[] {
  const tab = ctx.indent.size;
  const currentIndent = indentWidth(ctx.linePrefix.trim().length === 0 ? ctx.linePrefix + lines[0] : ctx.linePrefix, tab);
  if (OPENS_AT_END.test(ctx.linePrefix + lines[0])) return lines.slice(0, blockEnd(lines, 0, currentIndent, tab));
  // A run of statements at the cursor's indentation, each possibly with a block of its own.
  let i = 1;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const width = indentWidth(line, tab);
    if (width < currentIndent) break;
    if (width === currentIndent && BLOCK_CLOSER.test(line) && !BLOCK_CONTINUER.test(line)) break;
    i = width === currentIndent && OPENS_AT_END.test(line) ? blockEnd(lines, i, width, tab) : i + 1;
  }
  return lines.slice(0, i);
}

const norm = (line: string) => line.replace(/\s+$/, '');

/** Cut the suggestion where it starts re-typing the lines that already follow the cursor. */
function cutSuffixRepeat(lines: string[], ctx: PostContext): string[] {
  const next = ctx.nextLines.find((l) => l.trim().length > 0);
  if (next === undefined) return lines;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim().length === 0) continue;
    if (norm(lines[i]) === norm(next)) return lines.slice(0, i);
    // Same statement at a different indentation counts when it is substantial (not a lone brace).
    if (lines[i].trim() === next.trim() && next.trim().length >= 8) return lines.slice(0, i);
  }
  return lines;
}

/** The same non-empty line three times in a row is a loop: keep the first. */
function cutRepeatedLines(lines: string[]): string[] {
  for (let i = 2; i < lines.length; i++) {
    const a = lines[i].trim();
    if (a.length > 0 && a === lines[i - 1].trim() && a === lines[i - 2].trim()) return lines.slice(0, i - 1);
  }
  return lines;
}

/** Re-render leading whitespace of the suggestion's lines in the document's style (tabs vs spaces). */
function fixIndentStyle(lines: string[], ctx: PostContext): string[] {
  const style = ctx.indent;
  return lines.map((line, i) => {
    if (i === 0 && ctx.linePrefix.trim().length > 0) return line;
    const ws = leadingWhitespace(line);
    if (ws.length === 0) return line;
    const wrongKind = style.useTabs ? ws.includes(' ') && ws.replace(/\t/g, '').length >= style.size : ws.includes('\t');
    if (!wrongKind) return line;
    return renderIndent(indentWidth(line, style.size), style) + line.slice(ws.length);
  });
}

/** The model re-typed what already follows the cursor on this line: keep only what comes before it. */
function dropRepeatOfLineSuffix(text: string, lineSuffix: string): string {
  const rest = lineSuffix.trim();
  // Pure brackets and quotes are left to the balance-aware rule below: `foo()` before `)` is complete as it is.
  if (rest.length === 0 || text.includes('\n') || /^[)\]}"'`]+$/.test(rest)) return text;
  const trimmed = text.trimEnd();
  if (trimmed.endsWith(rest) && trimmed.length > rest.length) return trimmed.slice(0, trimmed.length - rest.length).trimEnd() || '';
  if (trimmed === rest) return '';
  return text;
}

/** Never add a closing bracket or quote the document already has right after the cursor. */
function dropClosersAlreadyThere(text: string, lineSuffix: string, linePrefix: string): string {
  const following = /^[)\]}"'`]*/.exec(lineSuffix.trimStart())![0];
  if (following.length === 0) return text;
  for (let k = following.length; k >= 1; k--) {
    const tail = following.slice(0, k);
    const body = text.trimEnd();
    if (!body.endsWith(tail)) continue;
    const kept = body.slice(0, body.length - k);
    if (closersUnmatched(kept + tail, tail, linePrefix)) return kept.trimEnd();
  }
  return text;
}

/** Whether every closer in `tail` (the end of `text`) closes something opened before the suggestion, not inside it. */
function closersUnmatched(text: string, tail: string, linePrefix: string): boolean {
  const body = text.slice(0, text.length - tail.length);
  for (const ch of tail) {
    if (QUOTES.has(ch)) {
      const inBody = body.split(ch).length - 1;
      // An even count in the suggestion means it opened and closed its own string; the quote closes the line's one.
      if (inBody % 2 !== 0) return false;
      const inLine = linePrefix.split(ch).length - 1;
      if (inLine % 2 === 0) return false;
      continue;
    }
    const open = CLOSERS[ch];
    let depth = 0;
    for (const c of body) {
      if (c === open) depth++;
      else if (c === ch) depth--;
    }
    if (depth > 0) return false;
  }
  return true;
}

/** A short unit repeated over most of the text (`)))))`, `foo foo foo foo`): the model is looping. */
function isSelfRepeating(text: string): boolean {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length < 8) return /^(.)\1{4,}$/.test(t);
  for (let period = 1; period <= Math.floor(t.length / 3); period++) {
    const unit = t.slice(0, period);
    let count = 0;
    let i = 0;
    while (t.startsWith(unit, i)) {
      count++;
      i += period;
    }
    if (unit.startsWith(t.slice(i))) i = t.length;
    if (count >= 3 && i === t.length && unit.trim().length > 0) return true;
  }
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length >= 3 && new Set(lines).size === 1) return true;
  return false;
}

/** On an empty line, a suggestion that is exactly the next line of the document adds nothing. */
function duplicatesNextLine(text: string, ctx: PostContext): boolean {
  if (ctx.linePrefix.trim().length > 0 || text.includes('\n')) return false;
  const next = ctx.nextLines.find((l) => l.trim().length > 0);
  return next !== undefined && next.trim().length >= 3 && next.trim() === text.trim();
}
