/**
 * Text facts every capability needs, stated once: line endings, indentation widths, Markdown fences and the
 * cheap token estimate used where the real tokenizer (InferenceEngine.countTokens) is not worth a round trip.
 * No `vscode` here.
 */

export type Eol = '\n' | '\r\n';

/** The line ending a text uses: CRLF when it has any, else LF. */
export function eolOf(text: string): Eol {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Rewrites every line break (LF, CRLF or lone CR) as `eol`. */
export function toEol(text: string, eol: Eol): string {
  return text.replace(/\r\n|\r|\n/g, eol);
}

export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Visual width of leading whitespace, tabs counted to the next tab stop. */
export function indentWidth(line: string, tabSize: number): number {
  let width = 0;
  for (const ch of leadingWhitespace(line)) width = ch === '\t' ? width + tabSize - (width % tabSize) : width + 1;
  return width;
}

/** A fenced Markdown block whose fence is longer than any backtick run inside `text`, so nothing closes it early. */
export function fence(text: string, tag = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${tag}\n${text.replace(/\n$/, '')}\n${ticks}`;
}

/**
 * Characters per token for the estimate. Small models' tokenizers give 3.2–4 on English and code; the low end
 * is used so an estimate errs towards too many tokens (a prompt that fits by the estimate fits for real).
 */
export const CHARS_PER_TOKEN = 3.2;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function tokensToChars(tokens: number): number {
  return Math.max(0, Math.floor(tokens * CHARS_PER_TOKEN));
}

/** The last segment of a path or URI path (either separator), for labels. */
export function basename(pathOrUri: string): string {
  const trimmed = pathOrUri.replace(/[\\/]+$/, '');
  return trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
}
