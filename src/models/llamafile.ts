/**
 * A llamafile is an executable that is also a zip archive; its model is a `.gguf` entry stored uncompressed, so
 * it can be located from the zip's central directory and read (or copied out) as a plain byte range. Only what
 * that needs is parsed here: the end-of-central-directory record (and its ZIP64 form, llamafiles pass 4 GiB),
 * the central directory, and the entry's local header. Every offset and size is checked against the file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EngineError } from '../common/errors';

/** Where a llamafile's GGUF lies: `length` bytes from `start`. */
export interface EmbeddedGguf {
  entryName: string;
  start: number;
  length: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_BYTES = 22;
const MAX_COMMENT = 0xffff;
const CENTRAL_BYTES = 46;
const LOCAL_BYTES = 30;
/** A llamafile's directory lists a handful of entries; more than this is not one. */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;
const U32_MAX = 0xffffffff;

export async function findEmbeddedGguf(filePath: string): Promise<EmbeddedGguf> {
  const name = path.basename(filePath);
  const handle = await fs.open(filePath, 'r');
  let size = 0;
  const bad = (why: string) => new EngineError('MODEL_NOT_GGUF', `${name} is not a llamafile Hearth can read: ${why}.`);
  const cut = (why: string) => new EngineError('MODEL_TRUNCATED', `${name} is incomplete (${why}). Download it again.`);
  const read = async (position: number, length: number) => {
    if (position < 0 || length < 0 || position + length > size) throw cut('an offset points past its end');
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    if (bytesRead < length) throw cut('it ends early');
    return buf;
  };
  try {
    size = (await handle.stat()).size;
    const tailLength = Math.min(size, EOCD_BYTES + MAX_COMMENT + 20);
    const tail = await read(size - tailLength, tailLength);
    let at = -1;
    for (let i = tailLength - EOCD_BYTES; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIG && i + EOCD_BYTES + tail.readUInt16LE(i + 20) <= tailLength) {
        at = i;
        break;
      }
    }
    if (at < 0) throw bad('it has no zip directory');
    const eocdPos = size - tailLength + at;
    let entries = tail.readUInt16LE(at + 10);
    let dirSize = tail.readUInt32LE(at + 12);
    let dirOffset = tail.readUInt32LE(at + 16);
    let dirEnd = eocdPos;
    if (entries === 0xffff || dirSize === U32_MAX || dirOffset === U32_MAX) {
      if (at < 20 || tail.readUInt32LE(at - 20) !== ZIP64_LOCATOR_SIG) throw bad('its ZIP64 directory locator is missing');
      const recordPos = safe(tail.readBigUInt64LE(at - 20 + 8));
      const record = await read(recordPos, 56);
      if (record.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw bad('its ZIP64 directory record is missing');
      entries = safe(record.readBigUInt64LE(32));
      dirSize = safe(record.readBigUInt64LE(40));
      dirOffset = safe(record.readBigUInt64LE(48));
      dirEnd = recordPos;
    }
    if (dirSize > MAX_DIRECTORY_BYTES || dirSize > dirEnd) throw bad(`its zip directory claims ${dirSize} bytes`);
    if (entries > dirSize / CENTRAL_BYTES) throw bad(`its zip directory claims ${entries} entries in ${dirSize} bytes`);
    // Archives glued after an executable may count offsets from the glue point; the directory's real place says by how much.
    const shift = dirEnd - dirSize - dirOffset;
    const dir = await read(dirEnd - dirSize, dirSize);
    let p = 0;
    for (let i = 0; i < entries; i++) {
      if (p + CENTRAL_BYTES > dir.length || dir.readUInt32LE(p) !== CENTRAL_SIG) throw bad('its zip directory is damaged');
      const method = dir.readUInt16LE(p + 10);
      let compressed = dir.readUInt32LE(p + 20);
      let uncompressed = dir.readUInt32LE(p + 24);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      let localOffset = dir.readUInt32LE(p + 42);
      const next = p + CENTRAL_BYTES + nameLength + extraLength + commentLength;
      if (next > dir.length) throw bad('its zip directory is damaged');
      const entryName = dir.toString('utf8', p + CENTRAL_BYTES, p + CENTRAL_BYTES + nameLength);
      if (isModelEntry(entryName)) {
        // ZIP64 sizes and offset live in extra field 0x0001, each only when its 32-bit field is saturated.
        const wide = zip64Extra(dir.subarray(p + CENTRAL_BYTES + nameLength, p + CENTRAL_BYTES + nameLength + extraLength));
        if (uncompressed === U32_MAX) uncompressed = wide.shift() ?? uncompressed;
        if (compressed === U32_MAX) compressed = wide.shift() ?? compressed;
        if (localOffset === U32_MAX) localOffset = wide.shift() ?? localOffset;
        if (method !== 0 || compressed !== uncompressed) throw bad(`its model ${entryName} is compressed, so it cannot be used in place`);
        const local = await read(localOffset + shift, LOCAL_BYTES);
        if (local.readUInt32LE(0) !== LOCAL_SIG) throw bad('its model entry header is damaged');
        const start = localOffset + shift + LOCAL_BYTES + local.readUInt16LE(26) + local.readUInt16LE(28);
        if (start + compressed > size) throw cut(`its model ${entryName} runs past the end`);
        return { entryName, start, length: compressed };
      }
      p = next;
    }
    throw bad('it holds no .gguf model');
  } finally {
    await handle.close();
  }
}

/**
 * Copies a llamafile's GGUF out to `destDir` once, named after the llamafile and keyed by its size and
 * modification time, so the same llamafile is not extracted again and a changed one is. Returns the GGUF path.
 */
export async function extractLlamafile(llamafilePath: string, destDir: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const stat = await fs.stat(llamafilePath);
  const embedded = await findEmbeddedGguf(llamafilePath);
  if (embedded.length === 0) throw new EngineError('MODEL_EMPTY', `The model inside ${path.basename(llamafilePath)} is empty.`);
  const base = path.basename(llamafilePath).replace(/\.llamafile$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_');
  const dest = path.join(destDir, `${base}-${stat.size}-${Math.trunc(stat.mtimeMs)}.gguf`);
  const existing = await fs.stat(dest).catch(() => undefined);
  if (existing?.isFile() && existing.size === embedded.length) return dest;
  await fs.mkdir(destDir, { recursive: true });
  // Written aside and renamed, so an interrupted copy never looks like a finished one.
  const partial = `${dest}.${process.pid}.partial`;
  try {
    await pipeline(
      createReadStream(llamafilePath, { start: embedded.start, end: embedded.start + embedded.length - 1 }),
      createWriteStream(partial),
      { signal: options.signal },
    );
    const written = await fs.stat(partial);
    if (written.size !== embedded.length) throw new EngineError('MODEL_TRUNCATED', `Copying the model out of ${path.basename(llamafilePath)} stopped early.`);
    await fs.rename(partial, dest);
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
  return dest;
}

function isModelEntry(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  return base.endsWith('.gguf') && !base.startsWith('mmproj');
}

function zip64Extra(extra: Buffer): number[] {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (p + 4 + length > extra.length) break;
    if (id === 0x0001) {
      const values: number[] = [];
      for (let q = p + 4; q + 8 <= p + 4 + length; q += 8) values.push(safe(extra.readBigUInt64LE(q)));
      return values;
    }
    p += 4 + length;
  }
  return [];
}

/** A u64 offset or size as a number; values no file reaches become Infinity, which every bound check refuses. */
function safe(v: bigint): number {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : Infinity;
}
