/**
 * Remembers recent suggestions so the model is not asked twice for what is already known: the exact same spot
 * again (after an undo, a deletion back to it, VS Code re-asking), and "typed-through" — the user typing the first
 * characters of a suggestion that is showing, where the rest of it is still the answer.
 *
 * Entries are keyed by the text before the cursor (a bounded tail, line breaks normalized to \n) and the suffix as
 * the prompt used it; the cursor offset only narrows how many characters were typed since. Every hit is checked
 * against the text itself, so edits elsewhere can only cause a miss, never a wrong suggestion.
 */

export interface CacheKey {
  /** The document. */
  key: string;
  /** Cursor offset in the document's own characters (CRLF counts two). */
  offset: number;
  /** Bounded text before the cursor, \n line breaks. */
  before: string;
  /** Bounded text after the cursor as the prompt used it. */
  after: string;
  crlf: boolean;
}

export interface CacheEntry extends CacheKey {
  /** The suggestion with \n line breaks; undefined: the model had nothing useful to say here. */
  text: string | undefined;
}

export type CacheResult =
  | { kind: 'hit'; text: string; typed: number }
  | { kind: 'empty' }
  | undefined;

/** How much of the entry's context must match at least (shorter only at the start of a file). */
const MIN_CONTEXT = 64;

export class CompletionCache {
  private entries: CacheEntry[] = [];

  constructor(private readonly capacity = 64) {}

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
  }

  put(entry: CacheEntry): void {
    this.entries = this.entries.filter((e) => !(e.key === entry.key && e.offset === entry.offset && e.before === entry.before && e.after === entry.after));
    this.entries.unshift(entry);
    if (this.entries.length > this.capacity) this.entries.length = this.capacity;
  }

  lookup(q: CacheKey): CacheResult {
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.key !== q.key || e.after !== q.after || e.crlf !== q.crlf) continue;
      const delta = q.offset - e.offset;
      if (delta < 0) continue;
      if (delta === 0) {
        if (!sameTail(q.before, e.before)) continue;
        this.touch(i);
        return e.text === undefined ? { kind: 'empty' } : { kind: 'hit', text: e.text, typed: 0 };
      }
      if (e.text === undefined) continue;
      const typed = typedThrough(q, e, delta);
      if (typed === undefined) continue;
      const rest = e.text.slice(typed);
      if (rest.trim().length === 0) continue;
      this.touch(i);
      return { kind: 'hit', text: rest, typed };
    }
    return undefined;
  }

  private touch(i: number): void {
    const [e] = this.entries.splice(i, 1);
    this.entries.unshift(e);
  }
}

/** Both are tails of the text before the cursor: they agree on the part both hold. */
function sameTail(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  if (n < Math.min(MIN_CONTEXT, Math.max(a.length, b.length))) return false;
  return a.slice(a.length - n) === b.slice(b.length - n);
}

/** How many characters of the entry's suggestion the user has typed since, if that is what happened. */
function typedThrough(q: CacheKey, e: CacheEntry, delta: number): number | undefined {
  const text = e.text!;
  // In a CRLF document each typed line break moved the offset by two but is one character here.
  const lowest = q.crlf ? Math.ceil(delta / 2) : delta;
  for (let k = Math.min(delta, text.length); k >= lowest; k--) {
    const typed = text.slice(0, k);
    const breaks = q.crlf ? typed.split('\n').length - 1 : 0;
    if (k + breaks !== delta) continue;
    if (!q.before.endsWith(typed)) continue;
    if (sameTail(q.before.slice(0, q.before.length - k), e.before)) return k;
  }
  return undefined;
}
