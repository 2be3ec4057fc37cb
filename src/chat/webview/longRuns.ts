/**
 * Chromium lays out an unbroken run of letters under `overflow-wrap: break-word` (the answers' and questions'
 * style) in time quadratic in the run's length: ~1 s for 10,000 letters on a 2-core machine, over a minute for
 * 200,000, with the whole webview frozen meanwhile. A model writes such runs (base64, a minified line, a letter
 * repeated until the token limit) and a user can paste one, so before a message reaches the document every run
 * longer than RUN_LIMIT characters gets a <wbr> every RUN_LIMIT characters. A reader sees the same wrapping
 * (break-word still breaks a chunk that does not fit the panel), the text is unchanged (<wbr> adds no
 * characters: copying a selection is unaffected) and layout is linear in the message's length. Code blocks are
 * left alone: `<pre>` never wraps, so its runs cost nothing to lay out.
 */

/** Long enough that ordinary words, identifiers and most URLs are never touched. */
export const RUN_LIMIT = 64;

/** Characters at which a line may already break. Anything else (NBSP included) continues a run. */
const BREAKABLE = /[ \t\n\r\f\u200b]/;
/** A cut must not separate a surrogate pair, a combining mark or a joiner from the character before it. */
const JOINS_PREVIOUS = /^[\udc00-\udfff\p{M}\u200c\u200d\ufe00-\ufe0f]/u;

function longRun(limit: number): RegExp {
  return new RegExp(`[^ \\t\\n\\r\\f\\u200b]{${limit + 1},}`);
}

/** Where `text` needs a break opportunity: after every `limit` characters of a run, moved past any joiner. */
export function cutPoints(text: string, limit = RUN_LIMIT): number[] {
  const cuts: number[] = [];
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (BREAKABLE.test(text[i])) {
      run = 0;
      continue;
    }
    if (run >= limit && !JOINS_PREVIOUS.test(text.slice(i, i + 1))) {
      cuts.push(i);
      run = 0;
    }
    run++;
  }
  return cuts;
}

/** Adds a <wbr> inside every long unbroken run of the text under `root` (outside <pre>). */
export function breakLongRuns(root: Node, limit = RUN_LIMIT): void {
  const pattern = longRun(limit);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const found: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node as Text;
    if (pattern.test(text.data) && !text.parentElement?.closest('pre')) found.push(text);
  }
  for (const text of found) {
    const cuts = cutPoints(text.data, limit);
    if (cuts.length === 0) continue;
    const parts: Node[] = [];
    let from = 0;
    for (const at of cuts) {
      parts.push(document.createTextNode(text.data.slice(from, at)), document.createElement('wbr'));
      from = at;
    }
    parts.push(document.createTextNode(text.data.slice(from)));
    text.replaceWith(...parts);
  }
}
