/** The parts of an HTTP Content-Range / Content-Length answer a resumable download relies on. */
import type { IncomingMessage } from 'node:http';

export interface ContentRange {
  /** First byte sent (inclusive); undefined when a 416 answer gives only the size (a star for the range). */
  start: number | undefined;
  /** Last byte sent (inclusive). */
  end: number | undefined;
  /** The whole file's size; undefined when the server wrote `*`. */
  size: number | undefined;
}

/** Parses `bytes 100-199/1000`, the same with a star for an unknown size, and a star range with a size. */
export function parseContentRange(header: string | undefined): ContentRange | undefined {
  const m = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const num = (s: string | undefined) => (s === undefined || s === '*' ? undefined : Number(s));
  return { start: num(m[1]), end: num(m[2]), size: num(m[3]) };
}

export function contentLengthOf(response: IncomingMessage): number | undefined {
  const value = response.headers['content-length'];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
