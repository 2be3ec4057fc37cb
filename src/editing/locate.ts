/**
 * Where the text a proposal was made for sits in the document now. The user may keep typing while the model
 * generates; accepting must then land on the same text or not at all, so a user's edit is never overwritten.
 */

export interface OffsetRange {
  start: number;
  end: number;
}

/**
 * `expectedStart` is where the original began when the proposal was made. Returns the occurrence of `original`
 * that is nearest to it (edits above the range shift it, so the nearest copy is the one the user selected),
 * or undefined when the original text no longer exists verbatim.
 */
export function locateOriginal(documentText: string, original: string, expectedStart: number): OffsetRange | undefined {
  if (documentText.slice(expectedStart, expectedStart + original.length) === original) {
    return { start: expectedStart, end: expectedStart + original.length };
  }
  if (original.length === 0) {
    // An empty original (an insertion point) cannot be found by content; only an unchanged offset is safe.
    return undefined;
  }
  let best: number | undefined;
  for (let at = documentText.indexOf(original); at !== -1; at = documentText.indexOf(original, at + 1)) {
    if (best === undefined || Math.abs(at - expectedStart) < Math.abs(best - expectedStart)) best = at;
  }
  return best === undefined ? undefined : { start: best, end: best + original.length };
}

/** The whole document with `range` replaced: what the proposal side of the diff shows. */
export function spliceText(documentText: string, range: OffsetRange, replacement: string): string {
  return documentText.slice(0, range.start) + replacement + documentText.slice(range.end);
}
