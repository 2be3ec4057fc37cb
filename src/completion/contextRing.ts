/**
 * Extra context from other files: a small ring of chunks taken from files the user opened, edited or saved and
 * from copied text. Chunks are deduplicated and the oldest go first when the ring is full.
 *
 * The prompt does not see new chunks at once: they sit at the start of the prompt, so each change re-evaluates
 * everything after it. The ring therefore keeps a frozen selection that the prompt uses and only takes new chunks
 * in when `freeze()` is called, which the glue does while the user is idle, followed by a request that brings the
 * new prompt into the KV cache before the next keystroke needs it.
 */
import { toEol } from '../common/text';
import type { ContextChunk } from './prompt';

interface RingOptions {
  maxChunks: number;
  chunkLines: number;
  maxChunkChars: number;
}

const defaultRingOptions: RingOptions = { maxChunks: 16, chunkLines: 32, maxChunkChars: 2400 };

/** Fraction of shared lines above which two chunks count as the same text. */
const SIMILAR = 0.8;

export class ContextRing {
  private chunks: ContextChunk[] = [];
  private frozen: ContextChunk[] = [];
  private changed = false;

  constructor(private readonly options: RingOptions = defaultRingOptions) {}

  /** Chunks not yet in the frozen selection are waiting. */
  get pending(): boolean {
    return this.changed;
  }

  get all(): readonly ContextChunk[] {
    return this.chunks;
  }

  /**
   * Add the chunk of `text` around `line` (the whole text when it is short). Returns whether the ring changed.
   */
  add(source: string, text: string, line = 0): boolean {
    const chunk = this.chunkAround(text, line);
    if (chunk === undefined) return false;
    const entry: ContextChunk = { source, text: chunk };
    const lines = lineSet(chunk);
    for (let i = 0; i < this.chunks.length; i++) {
      const old = this.chunks[i];
      if (old.text === chunk) return false;
      if (similarity(lines, lineSet(old.text)) >= SIMILAR) {
        if (old.source !== source) return false;
        // An edited version of the same region replaces the old one where it stands.
        this.chunks[i] = entry;
        this.changed = true;
        return true;
      }
    }
    this.chunks.push(entry);
    if (this.chunks.length > this.options.maxChunks) this.chunks.shift();
    this.changed = true;
    return true;
  }

  /** Take the current chunks into the selection the prompt uses. */
  freeze(): void {
    this.frozen = [...this.chunks];
    this.changed = false;
  }

  /** The frozen selection without chunks of the file being completed (its own window already covers it). */
  forPrompt(excludeSource?: string): ContextChunk[] {
    return excludeSource === undefined ? [...this.frozen] : this.frozen.filter((c) => c.source !== excludeSource);
  }

  clear(): void {
    this.chunks = [];
    this.frozen = [];
    this.changed = false;
  }

  private chunkAround(text: string, line: number): string | undefined {
    const lines = toEol(text, '\n').split('\n');
    const n = this.options.chunkLines;
    const start = Math.max(0, Math.min(lines.length - n, line - Math.floor(n / 2)));
    let chunk = lines.slice(start, start + n).join('\n');
    if (chunk.length > this.options.maxChunkChars) chunk = chunk.slice(0, this.options.maxChunkChars).replace(/\n[^\n]*$/, '');
    chunk = chunk.replace(/^\s*\n/, '').trimEnd();
    // Too little to teach the model anything.
    if (chunk.length < 24 || lineSet(chunk).size < 2) return undefined;
    return chunk;
  }
}

function lineSet(text: string): Set<string> {
  return new Set(text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0));
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const l of a) if (b.has(l)) common++;
  return common / Math.min(a.size, b.size);
}
