/** Where an action's text starts and where inserted text goes, in line/character terms. No `vscode` here. */

export interface LinePosition {
  line: number;
  character: number;
}

/**
 * A selection that starts inside its line's indentation is taken from the line start, so the original's
 * indentation is known and the replacement can keep it.
 */
export function startsInIndentation(lineText: string, character: number): boolean {
  return character > 0 && /^[ \t]*$/.test(lineText.slice(0, character));
}

/** The line text is inserted after: a selection of whole lines ends at column 0 of the next line, so its last real line. */
export function lastSelectedLine(range: { start: LinePosition; end: LinePosition }): number {
  return range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
}
