/**
 * Reads a GGUF file's header (metadata and tensor table) in plain TypeScript, without llama.cpp, so Hearth can
 * describe every model file it finds on disk cheaply and safely. It is bounded: each count and length is checked
 * against the bytes the file still holds before anything is allocated or looped over, the header may not exceed
 * `maxHeaderBytes`, and big arrays (a 150k-token vocabulary) are walked, never kept. A hostile or damaged file
 * therefore fails in milliseconds with EngineError MODEL_NOT_GGUF or MODEL_TRUNCATED.
 *
 * Layout (GGUF v2/v3, little-endian): "GGUF", u32 version, u64 tensor count, u64 key/value count, the key/values
 * (string key, u32 type, value), then per tensor: string name, u32 dims, u64 × dims, u32 ggml type, u64 offset.
 */
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../errors';
import { BoundedReader } from './boundedReader';
import { FIM_TOKEN_TEXTS } from './ggufFim';

export type GgufTypeName = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'string' | 'array' | 'u64' | 'i64' | 'f64';
/** u64/i64 values are numbers when exact, bigints otherwise. */
export type GgufScalar = number | bigint | boolean | string;
/** An array value: its item type and length, and only its first `head` items (a vocabulary is never kept). */
export interface GgufArray {
  readonly kind: 'array';
  readonly itemType: GgufTypeName;
  readonly length: number;
  readonly head: readonly GgufScalar[];
}
export type GgufValue = GgufScalar | GgufArray;

export interface GgufHeader {
  readonly version: 2 | 3;
  readonly tensorCount: number;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  /** Elements in all tensors: the parameter count. */
  readonly parameterCount: number;
  /** Bytes of header, from the magic through the tensor table. */
  readonly headerBytes: number;
  /** Bytes of the GGUF (the range length when it is embedded in a bigger file). */
  readonly fileSize: number;
  /** Which of the watched token texts (`watchTokens`) the vocabulary holds. */
  readonly tokenTextsFound: ReadonlySet<string>;
}

export interface ReadGgufOptions {
  signal?: AbortSignal;
  /** The header may not be longer than this (default 32 MiB; real ones with 256k-token vocabularies take ~10). */
  maxHeaderBytes?: number;
  /** Where the GGUF lies inside a bigger file (a llamafile's stored entry); default: the whole file. */
  range?: { start: number; length: number };
  /** Token texts to look for while walking tokenizer.ggml.tokens; default: the FIM markers llama.cpp knows. */
  watchTokens?: readonly string[];
}

export const DEFAULT_MAX_HEADER_BYTES = 32 * 1024 * 1024;
/** How many leading items of an array value are kept. */
export const ARRAY_HEAD_ITEMS = 16;
const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const TYPE_NAMES: readonly GgufTypeName[] = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'];
const STRING = 8;
const ARRAY = 9;
/** Bytes of each fixed-size type, by type id (string and array vary). */
const FIXED_BYTES: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
/** The smallest a key/value can be: key length, one key byte, type, a one-byte value. */
const MIN_KV_BYTES = 8 + 1 + 4 + 1;
/** The smallest a tensor entry can be: name length, dims count, type, offset (a 0-dim, unnamed tensor). */
const MIN_TENSOR_BYTES = 8 + 4 + 4 + 8;
/** llama.cpp's GGML_MAX_DIMS and GGML_MAX_NAME: files beyond them do not load, so they are not models. */
const MAX_DIMS = 4;
const MAX_TENSOR_NAME = 63;
const TOKENS_KEY = 'tokenizer.ggml.tokens';
const DEFAULT_ALIGNMENT = 32;

export async function readGgufHeader(filePath: string, options: ReadGgufOptions = {}): Promise<GgufHeader> {
  const name = path.basename(filePath);
  // Non-blocking: opening a FIFO for reading would otherwise wait for a writer; the stat below then refuses it.
  const handle = await fs.open(filePath, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new EngineError('MODEL_NOT_GGUF', `${name} is not a regular file.`);
    const start = options.range?.start ?? 0;
    const size = options.range ? Math.min(options.range.length, Math.max(0, stat.size - start)) : stat.size;
    const reader = new BoundedReader(handle, start, {
      size,
      limit: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      signal: options.signal,
      onTruncated: (what) => {
        throw truncated(name, what);
      },
      onLimit: (what) => {
        throw notGguf(name, `its header runs past ${mib(options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES)} (${what}), which no real model needs`);
      },
    });
    return await parse(reader, name, size, options.watchTokens ?? FIM_TOKEN_TEXTS);
  } finally {
    await handle.close();
  }
}

function truncated(name: string, what: string): EngineError {
  return new EngineError('MODEL_TRUNCATED', `${name} ends before its GGUF header says it does (${what}): the file is incomplete or damaged. Download it again, or choose another file.`);
}

function notGguf(name: string, why: string): EngineError {
  return new EngineError('MODEL_NOT_GGUF', `${name} is not a GGUF model file Hearth can read: ${why}.`);
}

const count = (n: number) => (Number.isFinite(n) ? String(n) : 'over 2^53');
const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

async function parse(r: BoundedReader, name: string, size: number, watchTokens: readonly string[]): Promise<GgufHeader> {
  if (size === 0) throw new EngineError('MODEL_EMPTY', `${name} is empty (0 bytes); the download may have failed.`);
  if (size < 4) {
    // A short file that starts like GGUF was cut; anything else never was one.
    await r.need(size, 'the signature');
    const bytes = Array.from({ length: size }, () => r.u8());
    if (bytes.every((b, i) => b === 'GGUF'.charCodeAt(i))) throw truncated(name, 'the signature');
    throw notGguf(name, 'it does not start with the GGUF signature');
  }
  await r.need(4, 'the signature');
  if (r.u32() !== MAGIC) throw notGguf(name, 'it does not start with the GGUF signature');
  await r.need(4 + 8 + 8, 'the counts');
  const version = r.u32();
  if (version !== 2 && version !== 3) {
    const swapped = ((version & 0xff) << 24) | ((version & 0xff00) << 8) | ((version >>> 8) & 0xff00) | (version >>> 24);
    if (swapped === 2 || swapped === 3) throw notGguf(name, 'it is a big-endian GGUF, which llama.cpp on this machine cannot load');
    throw notGguf(name, `it is GGUF version ${version}; Hearth reads versions 2 and 3`);
  }
  const tensorCount = r.length64();
  const kvCount = r.length64();
  // Both tables must fit in what is left, at their smallest, before either is walked.
  r.require(kvCount * MIN_KV_BYTES, `${count(kvCount)} metadata entries`);
  r.require(kvCount * MIN_KV_BYTES + tensorCount * MIN_TENSOR_BYTES, `${count(tensorCount)} tensors`);

  const watch = watchSet(watchTokens);
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = await readString(r, 'a metadata key');
    if (key.length === 0) throw notGguf(name, `metadata entry ${i} has an empty key`);
    if (metadata.has(key)) throw notGguf(name, `the metadata key ${key} appears twice`);
    await r.need(4, key);
    const type = r.u32();
    metadata.set(key, await readValue(r, name, key, type, key === TOKENS_KEY ? watch : undefined));
  }

  let parameterCount = 0;
  let lastOffset = -1;
  for (let i = 0; i < tensorCount; i++) {
    await r.need(8, 'a tensor name');
    const nameLength = r.length64();
    if (nameLength > MAX_TENSOR_NAME) throw notGguf(name, `tensor ${i} has a ${nameLength}-byte name (llama.cpp allows ${MAX_TENSOR_NAME})`);
    r.skip(nameLength, 'a tensor name');
    await r.need(4, 'a tensor shape');
    const dims = r.u32();
    if (dims > MAX_DIMS) throw notGguf(name, `tensor ${i} has ${dims} dimensions (llama.cpp allows ${MAX_DIMS})`);
    await r.need(dims * 8 + 4 + 8, 'a tensor shape');
    let elements = 1;
    for (let d = 0; d < dims; d++) elements *= r.length64();
    if (!Number.isFinite(elements)) throw notGguf(name, `tensor ${i} has an impossible shape`);
    r.u32(); // ggml type: the loader judges it
    lastOffset = Math.max(lastOffset, r.length64());
    parameterCount += elements;
  }
  const headerBytes = r.pos;
  if (tensorCount > 0) {
    const alignment = metadata.get('general.alignment');
    const align = typeof alignment === 'number' && alignment > 0 && (alignment & (alignment - 1)) === 0 ? alignment : DEFAULT_ALIGNMENT;
    const dataStart = Math.ceil(headerBytes / align) * align;
    // The last tensor must at least begin inside the file; its size needs ggml type tables, which the worker has.
    if (dataStart + lastOffset >= size) throw truncated(name, 'the tensor data');
  }
  return { version, tensorCount, metadata, parameterCount, headerBytes, fileSize: size, tokenTextsFound: watch.found };
}

async function readString(r: BoundedReader, what: string): Promise<string> {
  await r.need(8, what);
  const n = r.length64();
  await r.need(n, what);
  return r.utf8(n);
}

async function readValue(r: BoundedReader, name: string, key: string, type: number, watch: TokenWatch | undefined): Promise<GgufValue> {
  if (type === STRING) return readString(r, key);
  if (type === ARRAY) return readArray(r, name, key, watch);
  const bytes = FIXED_BYTES[type];
  if (bytes === undefined) throw notGguf(name, `the metadata key ${key} has an unknown value type ${type}`);
  await r.need(bytes, key);
  return readScalar(r, type);
}

function readScalar(r: BoundedReader, type: number): GgufScalar {
  switch (type) {
    case 0: return r.u8();
    case 1: return r.i8();
    case 2: return r.u16();
    case 3: return r.i16();
    case 4: return r.u32();
    case 5: return r.i32();
    case 6: return r.f32();
    case 7: return r.u8() !== 0;
    case 10: return exact(r.u64());
    case 11: return exact(r.i64());
    default: return r.f64();
  }
}

const exact = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

async function readArray(r: BoundedReader, name: string, key: string, watch: TokenWatch | undefined): Promise<GgufArray> {
  await r.need(4 + 8, key);
  const itemType = r.u32();
  const length = r.length64();
  if (itemType === ARRAY) throw notGguf(name, `the metadata key ${key} holds nested arrays, which llama.cpp rejects`);
  const itemBytes = itemType === STRING ? 8 : FIXED_BYTES[itemType];
  if (itemBytes === undefined) throw notGguf(name, `the metadata key ${key} has an unknown array item type ${itemType}`);
  r.require(length * itemBytes, `${key}: ${count(length)} items`);
  const head: GgufScalar[] = [];
  const kept = Math.min(length, ARRAY_HEAD_ITEMS);
  if (itemType !== STRING) {
    await r.need(kept * itemBytes, key);
    for (let i = 0; i < kept; i++) head.push(readScalar(r, itemType));
    r.skip((length - kept) * itemBytes, key);
  } else {
    for (let i = 0; i < length; i++) {
      if (!r.has(8)) await r.need(8, key);
      const n = r.length64();
      if (i < kept) {
        await r.need(n, key);
        const text = r.utf8(n);
        head.push(text);
        if (watch?.texts.has(text)) watch.found.add(text);
      } else if (watch?.byLength.has(n)) {
        if (!r.has(n)) await r.need(n, key);
        const start = r.pos;
        const candidates = watch.byLength.get(n)!;
        const hit = candidates.find((c) => {
          r.pos = start;
          return r.equals(c.bytes, n);
        });
        r.pos = start + n;
        if (hit) watch.found.add(hit.text);
      } else {
        r.skip(n, key);
      }
    }
  }
  return { kind: 'array', itemType: TYPE_NAMES[itemType], length, head };
}

interface TokenWatch {
  texts: ReadonlySet<string>;
  byLength: ReadonlyMap<number, ReadonlyArray<{ text: string; bytes: Uint8Array }>>;
  found: Set<string>;
}

function watchSet(texts: readonly string[]): TokenWatch {
  const byLength = new Map<number, Array<{ text: string; bytes: Uint8Array }>>();
  for (const text of texts) {
    const bytes = Buffer.from(text, 'utf8');
    const list = byLength.get(bytes.length) ?? [];
    list.push({ text, bytes });
    byLength.set(bytes.length, list);
  }
  return { texts: new Set(texts), byLength, found: new Set() };
}
