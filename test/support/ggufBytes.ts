/**
 * Builds GGUF bytes by hand for tests and benchmarks: well-formed small models, and files that lie (absurd
 * counts, lengths past the end) to prove the header reader refuses them quickly.
 */

/** Little-endian byte writer. */
export class Bytes {
  private parts: Buffer[] = [];

  raw(bytes: Uint8Array | string): this {
    this.parts.push(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes));
    return this;
  }
  u8(v: number): this {
    return this.push(1, (b) => b.writeUInt8(v));
  }
  u32(v: number): this {
    return this.push(4, (b) => b.writeUInt32LE(v));
  }
  i32(v: number): this {
    return this.push(4, (b) => b.writeInt32LE(v));
  }
  f32(v: number): this {
    return this.push(4, (b) => b.writeFloatLE(v));
  }
  u64(v: number | bigint): this {
    return this.push(8, (b) => b.writeBigUInt64LE(BigInt(v)));
  }
  /** A GGUF string: u64 byte length, then the bytes. */
  str(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    return this.u64(bytes.length).raw(bytes);
  }
  get length(): number {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
  private push(n: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(n);
    write(b);
    this.parts.push(b);
    return this;
  }
}

export const T = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;

export type KvValue = { u32: number } | { i32: number } | { u64: number | bigint } | { f32: number } | { bool: boolean } | { string: string } | { strings: readonly string[] } | { f32s: readonly number[] };

export interface TensorSpec {
  name: string;
  dims: readonly number[];
  /** ggml type id (0 = F32). */
  type: number;
  /** Offset of its data from the start of the data section. */
  offset: number;
}

export interface GgufSpec {
  version?: number;
  kv: Record<string, KvValue>;
  tensors?: readonly TensorSpec[];
  /** Bytes of tensor data appended after the aligned header (default: enough for the tensors, F32). */
  dataBytes?: number;
}

function writeValue(b: Bytes, v: KvValue): void {
  if ('u32' in v) b.u32(T.u32).u32(v.u32);
  else if ('i32' in v) b.u32(T.i32).i32(v.i32);
  else if ('u64' in v) b.u32(T.u64).u64(v.u64);
  else if ('f32' in v) b.u32(T.f32).f32(v.f32);
  else if ('bool' in v) b.u32(T.bool).u8(v.bool ? 1 : 0);
  else if ('string' in v) b.u32(T.string).str(v.string);
  else if ('strings' in v) {
    b.u32(T.array).u32(T.string).u64(v.strings.length);
    for (const s of v.strings) b.str(s);
  } else {
    b.u32(T.array).u32(T.f32).u64(v.f32s.length);
    for (const f of v.f32s) b.f32(f);
  }
}

/** A complete GGUF file: header, padding to 32 bytes, tensor data (zeros). */
export function ggufFile(spec: GgufSpec): Buffer {
  const tensors = spec.tensors ?? [];
  const b = new Bytes().raw('GGUF').u32(spec.version ?? 3).u64(tensors.length).u64(Object.keys(spec.kv).length);
  for (const [key, value] of Object.entries(spec.kv)) writeValue(b.str(key), value);
  for (const t of tensors) {
    b.str(t.name).u32(t.dims.length);
    for (const d of t.dims) b.u64(d);
    b.u32(t.type).u64(t.offset);
  }
  const header = b.toBuffer();
  const dataStart = Math.ceil(header.length / 32) * 32;
  const needed = tensors.reduce((end, t) => Math.max(end, t.offset + 4 * t.dims.reduce((n, d) => n * d, 1)), 0);
  return Buffer.concat([header, Buffer.alloc(dataStart - header.length), Buffer.alloc(spec.dataBytes ?? needed)]);
}

/** A small but complete model header: architecture, name, context, a vocabulary, one tensor. */
export function tinyModel(options: { name?: string; vocab?: number; fim?: boolean; chatTemplate?: string } = {}): Buffer {
  const vocab = Array.from({ length: options.vocab ?? 64 }, (_, i) => `tok${i}`);
  if (options.fim) vocab.push('<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>');
  const kv: Record<string, KvValue> = {
    'general.architecture': { string: 'llama' },
    'general.name': { string: options.name ?? 'tiny' },
    'general.file_type': { u32: 7 },
    'llama.context_length': { u32: 1024 },
    'tokenizer.ggml.tokens': { strings: vocab },
    'tokenizer.ggml.scores': { f32s: vocab.map(() => 0) },
  };
  if (options.chatTemplate) kv['tokenizer.chat_template'] = { string: options.chatTemplate };
  return ggufFile({ kv, tensors: [{ name: 'token_embd.weight', dims: [8, vocab.length], type: 0, offset: 0 }] });
}
