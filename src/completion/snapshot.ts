/**
 * What the completion pipeline reads from a document: lines on demand (so a multi-megabyte file costs only the
 * lines inside the prompt window) plus the cursor. VS Code documents, notebook cells and the benchmark's
 * simulated buffer all present themselves this way.
 */
import { eolOf, type Eol } from '../common/text';
import type { IndentStyle } from './text';

export interface DocumentSnapshot {
  /** Identifies the document across requests (its URI). */
  key: string;
  /** Path shown to the model, relative to the workspace when there is one. */
  relativePath: string;
  languageId: string;
  lineCount: number;
  /** Line text without its line break. */
  lineAt(line: number): string;
  line: number;
  character: number;
  /** Absolute offset of the cursor; only compared with other offsets of the same document. */
  offset: number;
  eol: Eol;
  indent: IndentStyle;
}

/** A snapshot over an in-memory text: the bench, notebooks (cells joined) and tests use it. */
export function snapshotFromText(
  text: string,
  offset: number,
  meta: { key?: string; relativePath?: string; languageId?: string; indent?: IndentStyle } = {},
): DocumentSnapshot {
  const eol = eolOf(text);
  const lines = text.split(/\r?\n/);
  const before = text.slice(0, offset);
  const beforeLines = before.split(/\r?\n/);
  const line = beforeLines.length - 1;
  const character = beforeLines[line].length;
  return {
    key: meta.key ?? 'memory://doc',
    relativePath: meta.relativePath ?? 'untitled',
    languageId: meta.languageId ?? 'plaintext',
    lineCount: lines.length,
    lineAt: (i) => lines[i] ?? '',
    line,
    character,
    offset,
    eol,
    indent: meta.indent ?? detectIndent(lines),
  };
}

/** Guess the indentation style from the lines themselves (VS Code's editor options win when there are some). */
function detectIndent(lines: readonly string[]): IndentStyle {
  let tabs = 0;
  let spaces = 0;
  const widths = new Map<number, number>();
  let previous = 0;
  for (const line of lines.slice(0, 2000)) {
    if (line.trim().length === 0) continue;
    if (line.startsWith('\t')) tabs++;
    else if (line.startsWith(' ')) spaces++;
    const width = /^ */.exec(line)![0].length;
    const delta = Math.abs(width - previous);
    if (!line.startsWith('\t') && delta >= 2 && delta <= 8) widths.set(delta, (widths.get(delta) ?? 0) + 1);
    previous = width;
  }
  let size = 4;
  let best = 0;
  for (const [w, n] of widths) if (n > best) [size, best] = [w, n];
  return { useTabs: tabs > spaces, size: tabs > spaces ? 4 : size };
}
