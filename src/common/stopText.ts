/** Stop-string matching over streamed text; pure so it can be tested without a model. */

/** Index where the earliest stop string begins, or undefined. */
export function findStop(text: string, stops: readonly string[]): number | undefined {
  let best: number | undefined;
  for (const stop of stops) {
    const i = text.indexOf(stop);
    if (i !== -1 && (best === undefined || i < best)) best = i;
  }
  return best;
}

/** Length of the longest suffix of `text` that is a proper prefix of some stop string (to be held back). */
export function partialStopLength(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const stop of stops) {
    for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
      if (text.endsWith(stop.slice(0, n))) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

/**
 * Where streamed text ends by its own content: before the earliest stop string, or before the newline that would
 * start line `maxLines + 1`. The worker's token loop and the remote engine's stream both cut text this way.
 */
export function cutText(text: string, stops: readonly string[], maxLines: number | undefined): { visible: string; reason?: 'stop' | 'maxLines' } {
  const stop = findStop(text, stops);
  if (stop !== undefined) return { visible: text.slice(0, stop), reason: 'stop' };
  if (maxLines !== undefined) {
    let index = -1;
    for (let i = 0; i < maxLines; i++) {
      index = text.indexOf('\n', index + 1);
      if (index === -1) return { visible: text };
    }
    return { visible: text.slice(0, index), reason: 'maxLines' };
  }
  return { visible: text };
}
