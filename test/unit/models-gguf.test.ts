/** The bounded GGUF header reader: the real fixtures agree with node-llama-cpp, and hostile files fail fast. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError } from '../../src/common/errors';
import { fileTypeName, ggufFacts } from '../../src/common/gguf/ggufFacts';
import { readGgufHeader } from '../../src/common/gguf/ggufHeader';
import { Bytes, T, ggufFile, tinyModel } from '../support/ggufBytes';
import { fimChatModel, plainModel, randomVocabModel } from '../support/paths';

describe('models: GGUF header', function () {
  this.timeout(20_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-gguf-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };

  for (const model of [plainModel, fimChatModel, randomVocabModel]) {
    it(`reads ${path.basename(model)} as node-llama-cpp does`, async () => {
      const { readGgufFileInfo } = await import('node-llama-cpp');
      const theirs = await readGgufFileInfo(model);
      const header = await readGgufHeader(model);
      const facts = ggufFacts(header);
      const meta = theirs.metadata as unknown as {
        general: { architecture: string; name?: string; file_type?: number };
        tokenizer: { chat_template?: string; ggml: { tokens: string[]; fim_pre_token_id?: number } };
        llama: { context_length: number };
      };
      assert.equal(header.version, theirs.version);
      assert.equal(header.tensorCount, Number(theirs.totalTensorCount));
      // The header ends where theirs does, before the alignment padding; the parameter counts agree.
      assert.equal(Math.ceil(header.headerBytes / 32) * 32, theirs.infoEndOffset);
      const elements = (theirs.tensorInfo ?? []).reduce((n, t) => n + t.dimensions.reduce<number>((m, d) => m * Number(d), 1), 0);
      assert.equal(header.parameterCount, elements);
      assert.equal(facts.architecture, meta.general.architecture);
      assert.equal(facts.name, meta.general.name);
      assert.equal(facts.fileType, meta.general.file_type);
      assert.equal(facts.contextLength, meta.llama.context_length);
      assert.equal(facts.vocabSize, meta.tokenizer.ggml.tokens.length);
      assert.equal(facts.hasChatTemplate, typeof meta.tokenizer.chat_template === 'string');
      assert.equal(facts.supportsFim, meta.tokenizer.ggml.fim_pre_token_id !== undefined);
      // Arrays keep only their head: the first tokens, never the whole vocabulary.
      const tokens = header.metadata.get('tokenizer.ggml.tokens');
      assert.ok(typeof tokens === 'object' && 'kind' in tokens);
      assert.deepEqual(tokens.head, meta.tokenizer.ggml.tokens.slice(0, tokens.head.length));
      assert.ok(tokens.head.length <= 16);
    });
  }

  it('states the facts of the FIM + chat fixture', async () => {
    const facts = ggufFacts(await readGgufHeader(fimChatModel));
    assert.deepEqual(
      { fim: facts.supportsFim, source: facts.fimSource, chat: facts.hasChatTemplate, vocab: facts.vocabSize, arch: facts.architecture },
      { fim: true, source: 'metadata', chat: true, vocab: 515, arch: 'llama' },
    );
    assert.ok(facts.parameters! > 250_000 && facts.parameters! < 350_000, `${facts.parameters}`);
    const plain = ggufFacts(await readGgufHeader(plainModel));
    assert.equal(plain.supportsFim, false);
    assert.equal(plain.hasChatTemplate, false);
    assert.equal(ggufFacts(await readGgufHeader(randomVocabModel)).quantization, 'F16');
  });

  it('finds FIM tokens by their text when the metadata names none (Qwen2.5-Coder style)', async () => {
    const facts = ggufFacts(await readGgufHeader(write('qwenish.gguf', tinyModel({ fim: true, vocab: 40 }))));
    assert.equal(facts.supportsFim, true);
    assert.equal(facts.fimSource, 'vocabulary');
    assert.equal(ggufFacts(await readGgufHeader(write('plain.gguf', tinyModel({ vocab: 40 })))).supportsFim, false);
  });

  it('also reads the deprecated prefix/suffix/middle token id keys, and ignores ids outside the vocabulary', async () => {
    const kv = (ids: [number, number, number]) => ({
      'general.architecture': { string: 'llama' },
      'tokenizer.ggml.tokens': { strings: ['a', 'b', 'c', 'd'] },
      'tokenizer.ggml.prefix_token_id': { u32: ids[0] },
      'tokenizer.ggml.suffix_token_id': { u32: ids[1] },
      'tokenizer.ggml.middle_token_id': { u32: ids[2] },
    });
    assert.equal(ggufFacts(await readGgufHeader(write('old-keys.gguf', ggufFile({ kv: kv([1, 2, 3]) })))).fimSource, 'metadata');
    assert.equal(ggufFacts(await readGgufHeader(write('out-of-vocab.gguf', ggufFile({ kv: kv([1, 2, 99]) })))).supportsFim, false);
  });

  it('names quantizations as node-llama-cpp does', async () => {
    const { GgufFileType } = await import('node-llama-cpp');
    for (const [key, id] of Object.entries(GgufFileType)) {
      if (typeof id !== 'number') continue;
      assert.equal(fileTypeName(id), key.replace(/^MOSTLY_/, '').replace(/^ALL_/, ''), `id ${id}`);
    }
  });

  it('reads a GGUF embedded in a bigger file by range', async () => {
    const gguf = tinyModel({ name: 'inside' });
    const file = write('wrapped.bin', Buffer.concat([Buffer.alloc(1000, 7), gguf, Buffer.alloc(500, 9)]));
    const header = await readGgufHeader(file, { range: { start: 1000, length: gguf.length } });
    assert.equal(ggufFacts(header).name, 'inside');
  });

  describe('hostile and damaged files fail fast with the right code', () => {
    const real = fs.readFileSync(plainModel);
    const lies: Array<{ name: string; bytes: () => Buffer; code: string; message?: RegExp }> = [
      { name: 'bad magic', bytes: () => Buffer.concat([Buffer.from('GGML'), real.subarray(4)]), code: 'MODEL_NOT_GGUF', message: /signature/ },
      { name: 'a text file', bytes: () => Buffer.from('hello world, not a model\n'), code: 'MODEL_NOT_GGUF' },
      { name: 'empty', bytes: () => Buffer.alloc(0), code: 'MODEL_EMPTY' },
      { name: 'version 99', bytes: () => new Bytes().raw('GGUF').u32(99).u64(0).u64(0).toBuffer(), code: 'MODEL_NOT_GGUF', message: /version 99/ },
      { name: 'version 1', bytes: () => new Bytes().raw('GGUF').u32(1).u64(0).u64(0).toBuffer(), code: 'MODEL_NOT_GGUF', message: /version 1/ },
      { name: 'big-endian', bytes: () => new Bytes().raw('GGUF').u32(0x03000000).u64(0).u64(0).toBuffer(), code: 'MODEL_NOT_GGUF', message: /big-endian/ },
      { name: 'cut inside the signature', bytes: () => real.subarray(0, 3), code: 'MODEL_TRUNCATED' },
      { name: 'cut inside the counts', bytes: () => real.subarray(0, 12), code: 'MODEL_TRUNCATED' },
      { name: 'cut inside the first key', bytes: () => real.subarray(0, 30), code: 'MODEL_TRUNCATED' },
      { name: 'cut inside the vocabulary', bytes: () => real.subarray(0, 4000), code: 'MODEL_TRUNCATED' },
      { name: 'cut inside the tensor table', bytes: () => real.subarray(0, 13_500), code: 'MODEL_TRUNCATED' },
      { name: 'cut right after the header', bytes: () => real.subarray(0, 14_200), code: 'MODEL_TRUNCATED', message: /tensor data/ },
      { name: '2^62 tensors', bytes: () => new Bytes().raw('GGUF').u32(3).u64(2n ** 62n).u64(0).toBuffer(), code: 'MODEL_TRUNCATED' },
      { name: '2^62 metadata entries', bytes: () => new Bytes().raw('GGUF').u32(3).u64(0).u64(2n ** 62n).toBuffer(), code: 'MODEL_TRUNCATED' },
      { name: 'u64 max tensors', bytes: () => new Bytes().raw('GGUF').u32(3).u64(2n ** 64n - 1n).u64(1).toBuffer(), code: 'MODEL_TRUNCATED' },
      {
        name: 'a 2^40-byte string',
        bytes: () => new Bytes().raw('GGUF').u32(3).u64(0).u64(1).str('general.name').u32(T.string).u64(2n ** 40n).raw('abc').toBuffer(),
        code: 'MODEL_TRUNCATED',
      },
      {
        name: 'a 2^40-byte key',
        bytes: () => new Bytes().raw('GGUF').u32(3).u64(0).u64(1).u64(2n ** 40n).raw('general').toBuffer(),
        code: 'MODEL_TRUNCATED',
      },
      {
        name: 'an array of 2^58 strings',
        bytes: () => new Bytes().raw('GGUF').u32(3).u64(0).u64(1).str('tokenizer.ggml.tokens').u32(T.array).u32(T.string).u64(2n ** 58n).str('a').toBuffer(),
        code: 'MODEL_TRUNCATED',
      },
      {
        name: 'an array of 2^62 u64s',
        bytes: () => new Bytes().raw('GGUF').u32(3).u64(0).u64(1).str('x').u32(T.array).u32(T.u64).u64(2n ** 62n).toBuffer(),
        code: 'MODEL_TRUNCATED',
      },
      {
        name: 'a string item with a 2^50-byte length',
        bytes: () => new Bytes().raw('GGUF').u32(3).u64(0).u64(1).str('tokenizer.ggml.tokens').u32(T.array).u32(T.string).u64(3).str('a').u64(2n ** 50n).toBuffer(),
        code: 'MODEL_TRUNCATED',
      },
      { name: 'an unknown value type', bytes: () => new Bytes().raw('GGUF').u32(3).u64(0).u64(1).str('x').u32(13).u32(0).toBuffer(), code: 'MODEL_NOT_GGUF', message: /unknown value type 13/ },
      { name: 'nested arrays', bytes: () => new Bytes().raw('GGUF').u32(3).u64(0).u64(1).str('x').u32(T.array).u32(T.array).u64(1).toBuffer(), code: 'MODEL_NOT_GGUF', message: /nested/ },
      { name: 'a repeated key', bytes: () => new Bytes().raw('GGUF').u32(3).u64(0).u64(2).str('x').u32(T.u32).u32(1).str('x').u32(T.u32).u32(2).toBuffer(), code: 'MODEL_NOT_GGUF', message: /twice/ },
      {
        name: 'a tensor with 9 dimensions',
        bytes: () => new Bytes().raw('GGUF').u32(3).u64(1).u64(0).str('t').u32(9).raw(Buffer.alloc(100)).toBuffer(),
        code: 'MODEL_NOT_GGUF',
        message: /9 dimensions/,
      },
      {
        name: 'a tensor whose data starts past the end',
        bytes: () => new Bytes().raw('GGUF').u32(3).u64(1).u64(0).str('t').u32(1).u64(4).u32(0).u64(2n ** 40n).raw(Buffer.alloc(64)).toBuffer(),
        code: 'MODEL_TRUNCATED',
        message: /tensor data/,
      },
    ];
    for (const lie of lies) {
      it(lie.name, async () => {
        const file = write(`${lie.name.replace(/\W+/g, '_')}.gguf`, lie.bytes());
        const t0 = performance.now();
        await assert.rejects(readGgufHeader(file), (e: unknown) => {
          assert.ok(e instanceof EngineError, String(e));
          assert.equal(e.code, lie.code, e.message);
          if (lie.message) assert.match(e.message, lie.message);
          return true;
        });
        const ms = performance.now() - t0;
        assert.ok(ms < 100, `took ${ms.toFixed(1)} ms`);
      });
    }

    it('a header longer than maxHeaderBytes is refused without reading it all', async () => {
      const file = write('big-vocab.gguf', tinyModel({ vocab: 20_000 }));
      await assert.rejects(readGgufHeader(file, { maxHeaderBytes: 4096 }), (e: unknown) => e instanceof EngineError && e.code === 'MODEL_NOT_GGUF' && /header runs past/.test(e.message));
      assert.equal((await readGgufHeader(file)).tensorCount, 1);
    });

    it('stops when aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(readGgufHeader(plainModel, { signal: controller.signal }), (e: unknown) => e instanceof Error && e.name === 'CancelledError');
    });
  });
});
