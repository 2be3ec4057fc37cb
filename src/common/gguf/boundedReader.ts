/**
 * Sequential little-endian reads from a byte range of a file, in chunks, that refuse to go past the end of the
 * range or past a byte limit. Every length a caller takes from the file is checked with `require` before it
 * reads, skips or allocates, so a forged length fails at once instead of costing memory or time.
 */
import type { FileHandle } from 'node:fs/promises';
import { CancelledError } from '../errors';

const CHUNK_BYTES = 256 * 1024;
const TWO_POW_32 = 0x1_0000_0000;
/** Above this high word a u64 no longer fits a double exactly; any such length is past every real file. */
const SAFE_HIGH_WORD = 0x20_0000;

export interface BoundedReaderLimits {
  /** Bytes the range holds: reading past them means the file is cut short. */
  size: number;
  /** Bytes a caller is willing to read at most (from the range start), whatever the file holds. */
  limit: number;
  /** Called when a read would pass `size`; must throw. */
  onTruncated(what: string): never;
  /** Called when a read would pass `limit` (but not `size`); must throw. */
  onLimit(what: string): never;
  signal?: AbortSignal;
}

export class BoundedReader {
  /** Offset from the range start of the next byte to read. */
  pos = 0;
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  private bufLen = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly base: number,
    private readonly limits: BoundedReaderLimits,
  ) {}

  get remaining(): number {
    return this.limits.size - this.pos;
  }

  /** Throws (truncated, or over the limit) unless `n` more bytes may be read from here. */
  require(n: number, what: string): void {
    if (!(n <= this.limits.size - this.pos)) this.limits.onTruncated(what);
    if (this.pos + n > this.limits.limit) this.limits.onLimit(what);
  }

  /** True when the next `n` bytes are already in memory: hot loops test this before awaiting `need`. */
  has(n: number): boolean {
    return this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.bufLen;
  }

  /** Makes the next `n` bytes readable synchronously. */
  async need(n: number, what: string): Promise<void> {
    if (this.has(n)) return;
    this.require(n, what);
    if (this.limits.signal?.aborted) throw new CancelledError('cancel');
    const want = Math.min(Math.max(n, CHUNK_BYTES), this.limits.size - this.pos);
    if (this.buf.length < want) this.buf = Buffer.allocUnsafe(Math.max(want, CHUNK_BYTES));
    const { bytesRead } = await this.handle.read(this.buf, 0, want, this.base + this.pos);
    this.bufStart = this.pos;
    this.bufLen = bytesRead;
    // The file shrank between stat and read: as good as truncated.
    if (bytesRead < n) this.limits.onTruncated(what);
  }

  skip(n: number, what: string): void {
    this.require(n, what);
    this.pos += n;
  }

  // The getters below assume `need` (or `has`) covered the bytes.
  u8(): number {
    return this.buf[this.at(1)];
  }
  i8(): number {
    return this.buf.readInt8(this.at(1));
  }
  u16(): number {
    return this.buf.readUInt16LE(this.at(2));
  }
  i16(): number {
    return this.buf.readInt16LE(this.at(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.at(4));
  }
  i32(): number {
    return this.buf.readInt32LE(this.at(4));
  }
  f32(): number {
    return this.buf.readFloatLE(this.at(4));
  }
  f64(): number {
    return this.buf.readDoubleLE(this.at(8));
  }
  u64(): bigint {
    return this.buf.readBigUInt64LE(this.at(8));
  }
  i64(): bigint {
    return this.buf.readBigInt64LE(this.at(8));
  }

  /** A u64 count or length as a number; Infinity when it is too big to be exact (no file is that long). */
  length64(): number {
    const i = this.at(8);
    const low = this.buf.readUInt32LE(i);
    const high = this.buf.readUInt32LE(i + 4);
    return high < SAFE_HIGH_WORD ? high * TWO_POW_32 + low : Infinity;
  }

  utf8(n: number): string {
    const i = this.at(n);
    return this.buf.toString('utf8', i, i + n);
  }

  /** Whether the next `n` bytes equal `bytes` (consumes them). A plain loop: the texts compared are short. */
  equals(bytes: Uint8Array, n: number): boolean {
    const i = this.at(n);
    if (n !== bytes.length) return false;
    for (let k = 0; k < n; k++) if (this.buf[i + k] !== bytes[k]) return false;
    return true;
  }

  private at(n: number): number {
    const i = this.pos - this.bufStart;
    this.pos += n;
    return i;
  }
}
