/**
 * Writes model files that are wrong in every way a header can be, plus paths that are not files at all, for the
 * tests that prove each one fails fast with a clear error. Each entry says which error code the engine must give.
 * The headers lie in every field (counts, lengths, types, alignment, offsets), the truncations cut a valid header
 * at each of its parts, and the special paths (a FIFO, a device, a symlink loop, a 64 GiB sparse file) must be
 * refused without being read.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorCode } from '../../src/common/protocol';
import { Bytes, T, ggufFile, tinyModel, type KvValue } from './ggufBytes';

export interface MalformedModel {
  /** What is wrong with it, for the test output. */
  what: string;
  path: string;
  /** The code the engine must answer with. */
  code: ErrorCode;
}

const TWO_62 = 2n ** 62n;
const U64_MAX = 2n ** 64n - 1n;

/** The start of a header: magic, version 3, the two counts. */
const head = (tensors: number | bigint, kvs: number | bigint) => new Bytes().raw('GGUF').u32(3).u64(tensors).u64(kvs);
/** A model that is valid except for `kv` (added or replaced) and `drop` (keys removed). */
function modelWith(kv: Record<string, KvValue>, drop: readonly string[] = []): Buffer {
  const base: Record<string, KvValue> = {
    'general.architecture': { string: 'llama' },
    'general.name': { string: 'malformed' },
    'llama.context_length': { u32: 1024 },
    'tokenizer.ggml.tokens': { strings: Array.from({ length: 32 }, (_, i) => `t${i}`) },
    ...kv,
  };
  for (const key of drop) delete base[key];
  return ggufFile({ kv: base, tensors: [{ name: 'token_embd.weight', dims: [8, 32], type: 0, offset: 0 }] });
}
/** One key/value whose value bytes are written by `value` (type id included), after a valid architecture key. */
const oneKv = (key: string, value: (b: Bytes) => Bytes) => value(head(0, 2).str('general.architecture').u32(T.string).str('llama').str(key)).toBuffer();

/** Writes the malformed files into `dir` (which must exist) and returns them with the code each must fail with. */
export function writeMalformedModels(dir: string): MalformedModel[] {
  const out: MalformedModel[] = [];
  const file = (name: string, what: string, code: ErrorCode, bytes: Buffer | string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    out.push({ what, path: p, code });
  };

  // Not GGUF at all.
  file('wrong-magic.gguf', 'wrong magic (GGML)', 'MODEL_NOT_GGUF', Buffer.concat([Buffer.from('GGML'), tinyModel().subarray(4)]));
  file('text.gguf', 'a text file', 'MODEL_NOT_GGUF', 'this is not a model\n'.repeat(20));
  file('empty.gguf', 'an empty file', 'MODEL_EMPTY', Buffer.alloc(0));
  file('bare-magic.gguf', 'a bare 4-byte "GGUF"', 'MODEL_TRUNCATED', 'GGUF');
  file('version-99.gguf', 'version 99', 'MODEL_NOT_GGUF', new Bytes().raw('GGUF').u32(99).u64(0).u64(0).toBuffer());
  file('version-1.gguf', 'version 1', 'MODEL_NOT_GGUF', new Bytes().raw('GGUF').u32(1).u64(0).u64(0).toBuffer());
  file('big-endian.gguf', 'a big-endian header', 'MODEL_NOT_GGUF', new Bytes().raw('GGUF').u32(0x03000000).u64(0).u64(0).toBuffer());

  // A valid header cut at each of its parts.
  const valid = tinyModel({ vocab: 40 });
  const headerEnd = valid.indexOf(Buffer.from('token_embd.weight')) + 'token_embd.weight'.length + 4 + 16 + 4 + 8;
  const vocabAt = valid.indexOf(Buffer.from('tok20'));
  const cuts: Array<[string, number]> = [
    ['inside the magic', 2], ['inside the version', 6], ['inside the tensor count', 12], ['inside the key/value count', 20],
    ['inside the first key length', 28], ['inside the first key', 36], ['inside the first value', valid.indexOf(Buffer.from('llama')) + 2],
    ['inside the vocabulary', vocabAt], ['inside the tensor table', headerEnd - 10], ['right after the header', headerEnd],
  ];
  for (const [where, at] of cuts) file(`cut-${at}.gguf`, `a valid header cut ${where} (${at} bytes)`, 'MODEL_TRUNCATED', valid.subarray(0, at));

  // Absurd counts and lengths, in every field.
  const pad = Buffer.alloc(256);
  file('tensors-2e62.gguf', '2^62 tensors', 'MODEL_TRUNCATED', Buffer.concat([head(TWO_62, 0).toBuffer(), pad]));
  file('tensors-u64max.gguf', '2^64-1 tensors', 'MODEL_TRUNCATED', Buffer.concat([head(U64_MAX, 0).toBuffer(), pad]));
  file('kvs-2e62.gguf', '2^62 metadata entries', 'MODEL_TRUNCATED', Buffer.concat([head(0, TWO_62).toBuffer(), pad]));
  for (const [label, n] of [['2^31+5', 2 ** 31 + 5], ['2^32-1', 2 ** 32 - 1], ['2^40', 2 ** 40]] as const) {
    file(`key-length-${n}.gguf`, `a key length of ${label}`, 'MODEL_TRUNCATED', Buffer.concat([head(0, 1).u64(n).raw('general.architecture').toBuffer(), pad]));
  }
  file('string-2e31.gguf', 'a string value of 2^31+1 bytes', 'MODEL_TRUNCATED', Buffer.concat([oneKv('general.name', (b) => b.u32(T.string).u64(2 ** 31 + 1)), pad]));
  file('string-2e62.gguf', 'a string value of 2^62 bytes', 'MODEL_TRUNCATED', Buffer.concat([oneKv('general.name', (b) => b.u32(T.string).u64(TWO_62)), pad]));
  file('array-2e58-strings.gguf', 'an array of 2^58 strings', 'MODEL_TRUNCATED', Buffer.concat([oneKv('tokenizer.ggml.tokens', (b) => b.u32(T.array).u32(T.string).u64(2n ** 58n).str('a')), pad]));
  file('array-2e62-u64.gguf', 'an array of 2^62 u64s', 'MODEL_TRUNCATED', Buffer.concat([oneKv('some.array', (b) => b.u32(T.array).u32(T.u64).u64(TWO_62)), pad]));
  file('array-2e31-u8.gguf', 'an array of 2^31+7 bytes', 'MODEL_TRUNCATED', Buffer.concat([oneKv('some.array', (b) => b.u32(T.array).u32(T.u8).u64(2 ** 31 + 7)), pad]));
  file('array-item-2e50.gguf', 'a string array item of 2^50 bytes', 'MODEL_TRUNCATED', Buffer.concat([oneKv('tokenizer.ggml.tokens', (b) => b.u32(T.array).u32(T.string).u64(2).str('a').u64(2 ** 50)), pad]));
  file('tensor-name-2e40.gguf', 'a tensor name of 2^40 bytes', 'MODEL_NOT_GGUF', Buffer.concat([head(1, 0).u64(2 ** 40).toBuffer(), pad]));
  file('tensor-dims-9.gguf', 'a tensor with 9 dimensions', 'MODEL_NOT_GGUF', Buffer.concat([head(1, 0).str('t').u32(9).toBuffer(), pad]));

  // Bad value types.
  file('value-type-99.gguf', 'a value of unknown type 99', 'MODEL_NOT_GGUF', Buffer.concat([oneKv('general.name', (b) => b.u32(99)), pad]));
  file('value-type-13.gguf', 'a value of type 13 (one past f64)', 'MODEL_NOT_GGUF', Buffer.concat([oneKv('general.name', (b) => b.u32(13)), pad]));
  file('array-item-type-77.gguf', 'an array of unknown item type', 'MODEL_NOT_GGUF', Buffer.concat([oneKv('some.array', (b) => b.u32(T.array).u32(77).u64(1)), pad]));
  file('nested-array.gguf', 'nested arrays', 'MODEL_NOT_GGUF', Buffer.concat([oneKv('some.array', (b) => b.u32(T.array).u32(T.array).u64(1)), pad]));
  file('repeated-key.gguf', 'a repeated key', 'MODEL_NOT_GGUF', Buffer.concat([head(0, 2).str('a.b').u32(T.u8).u8(1).str('a.b').u32(T.u8).u8(2).toBuffer(), pad]));

  // Bad alignment.
  file('alignment-0.gguf', 'general.alignment 0', 'MODEL_NOT_GGUF', modelWith({ 'general.alignment': { u32: 0 } }));
  file('alignment-48.gguf', 'general.alignment 48 (not a power of two)', 'MODEL_NOT_GGUF', modelWith({ 'general.alignment': { u32: 48 } }));
  file('alignment-string.gguf', 'general.alignment as a string', 'MODEL_NOT_GGUF', modelWith({ 'general.alignment': { string: '32' } }));

  // Tensors past the end of the file.
  file('tensor-offset-past-end.gguf', 'a tensor whose data starts past the end', 'MODEL_TRUNCATED',
    ggufFile({ kv: { 'general.architecture': { string: 'llama' }, 'tokenizer.ggml.tokens': { strings: ['a', 'b'] } }, tensors: [{ name: 'w', dims: [4], type: 0, offset: 1 << 20 }], dataBytes: 16 }));
  file('tensor-data-past-end.gguf', 'a tensor whose data runs past the end', 'MODEL_TRUNCATED',
    ggufFile({ kv: { 'general.architecture': { string: 'llama' }, 'tokenizer.ggml.tokens': { strings: ['a', 'b'] } }, tensors: [{ name: 'w', dims: [1024, 1024], type: 0, offset: 0 }], dataBytes: 64 }));

  // Valid GGUF, but nothing llama.cpp can run.
  file('unknown-architecture.gguf', 'an unknown architecture', 'MODEL_LOAD_FAILED', modelWith({ 'general.architecture': { string: 'hal9000' } }));
  file('no-architecture.gguf', 'no general.architecture', 'MODEL_LOAD_FAILED', modelWith({}, ['general.architecture']));
  file('no-vocabulary.gguf', 'no vocabulary', 'MODEL_LOAD_FAILED', modelWith({}, ['tokenizer.ggml.tokens']));
  file('empty-vocabulary.gguf', 'an empty vocabulary', 'MODEL_LOAD_FAILED', modelWith({ 'tokenizer.ggml.tokens': { strings: [] } }));

  // Paths that are not model files at all; none may be read.
  const fifo = path.join(dir, 'fifo.gguf');
  execFileSync('mkfifo', [fifo]);
  out.push({ what: 'a FIFO', path: fifo, code: 'MODEL_NOT_GGUF' });
  out.push({ what: 'a device (/dev/zero)', path: '/dev/zero', code: 'MODEL_NOT_GGUF' });
  out.push({ what: 'a device (/dev/urandom)', path: '/dev/urandom', code: 'MODEL_NOT_GGUF' });
  const loopA = path.join(dir, 'loop-a.gguf');
  fs.symlinkSync(path.join(dir, 'loop-b.gguf'), loopA);
  fs.symlinkSync(loopA, path.join(dir, 'loop-b.gguf'));
  out.push({ what: 'a symlink loop', path: loopA, code: 'MODEL_NOT_FOUND' });
  const sparse = path.join(dir, 'sparse-64g.gguf');
  fs.writeFileSync(sparse, '');
  fs.truncateSync(sparse, 64 * 1024 ** 3);
  out.push({ what: 'a 64 GiB sparse file of zeros', path: sparse, code: 'MODEL_NOT_GGUF' });
  const folder = path.join(dir, 'folder.gguf');
  fs.mkdirSync(folder);
  out.push({ what: 'a folder', path: folder, code: 'MODEL_IS_DIRECTORY' });
  out.push({ what: 'a missing file', path: path.join(dir, 'missing.gguf'), code: 'MODEL_NOT_FOUND' });
  return out;
}
