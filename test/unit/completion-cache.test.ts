import * as assert from 'node:assert/strict';
import { CompletionCache, type CacheKey } from '../../src/completion/cache';

const before = '// Sums the prices of every item in the cart, including the ones on sale.\nfunction total(items) {\n  let sum = 0;\n  for (const item of items) {\n    sum += ';
const base: CacheKey = { key: 'file:///a.js', offset: 500, before, after: '\n  }\n}', crlf: false };

describe('completion cache', () => {
  const table: Array<{ name: string; put?: Partial<CacheKey> & { text?: string | undefined }; query: Partial<CacheKey>; expect: string | 'empty' | undefined }> = [
    { name: 'same spot again: hit', query: {}, expect: 'item.price;' },
    { name: 'typed the first characters: the rest', query: { offset: 504, before: before + 'item' }, expect: '.price;' },
    { name: 'typed something else: miss', query: { offset: 504, before: before + 'iten' }, expect: undefined },
    { name: 'typed all of it: miss (nothing left to show)', query: { offset: 511, before: before + 'item.price;' }, expect: undefined },
    { name: 'typed all but trailing whitespace: miss', put: { text: 'x;  ' }, query: { offset: 502, before: before + 'x;' }, expect: undefined },
    { name: 'different text after the cursor: miss', query: { after: '\n}' }, expect: undefined },
    { name: 'other document: miss', query: { key: 'file:///b.js' }, expect: undefined },
    { name: 'edited above (text before differs): miss', query: { before: before.replace('sum = 0', 'sum = 1') }, expect: undefined },
    { name: 'cursor moved back: miss', query: { offset: 499, before: before.slice(0, -1) }, expect: undefined },
    { name: 'remembered "nothing" at the same spot', put: { text: undefined }, query: {}, expect: 'empty' },
    { name: 'remembered "nothing" is not typed through', put: { text: undefined }, query: { offset: 501, before: before + 'i' }, expect: undefined },
    { name: 'typed through a line break (LF)', put: { text: 'item.price;\n    count++;' }, query: { offset: 512, before: before + 'item.price;\n' }, expect: '    count++;' },
    { name: 'typed through a line break (CRLF: offsets count two)', put: { text: 'item.price;\n    count++;', crlf: true }, query: { offset: 513, before: before + 'item.price;\n', crlf: true }, expect: '    count++;' },
    { name: 'a bounded "before" that lost its start still matches its tail', query: { offset: 504, before: (before + 'item').slice(-100) }, expect: '.price;' },
  ];
  for (const t of table) {
    it(t.name, () => {
      const cache = new CompletionCache();
      const { text = 'item.price;', ...rest } = t.put ?? {};
      cache.put({ ...base, ...rest, text: t.put && 'text' in t.put ? t.put.text : text });
      const r = cache.lookup({ ...base, ...(t.put?.crlf ? { crlf: true } : {}), ...t.query });
      if (t.expect === undefined) assert.equal(r, undefined);
      else if (t.expect === 'empty') assert.deepEqual(r, { kind: 'empty' });
      else {
        assert.equal(r?.kind, 'hit');
        assert.equal(r.kind === 'hit' && r.text, t.expect);
      }
    });
  }

  it('keeps only the newest entries', () => {
    const cache = new CompletionCache(3);
    for (let i = 0; i < 5; i++) cache.put({ ...base, offset: i, text: `t${i}` });
    assert.equal(cache.size, 3);
    assert.equal(cache.lookup({ ...base, offset: 0 }), undefined);
    assert.deepEqual(cache.lookup({ ...base, offset: 4 }), { kind: 'hit', text: 't4', typed: 0 });
  });

  it('replaces an entry for the same spot', () => {
    const cache = new CompletionCache();
    cache.put({ ...base, text: 'first' });
    cache.put({ ...base, text: 'second' });
    assert.equal(cache.size, 1);
    assert.deepEqual(cache.lookup(base), { kind: 'hit', text: 'second', typed: 0 });
  });
});
