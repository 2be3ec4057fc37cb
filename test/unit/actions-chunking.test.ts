import * as assert from 'node:assert/strict';
import { estimateTokens, fitParts, inputBudgetChars, mapReduce, planReduceGroups, splitAtBoundaries } from '../../src/actions/chunking';

describe('actions: chunking', () => {
  const paragraphs = ['First paragraph, one.', 'Second paragraph is here.', 'Third one closes.'].join('\n\n');

  it('returns the text whole when it fits', () => {
    assert.deepEqual(splitAtBoundaries('short', 100), ['short']);
    assert.deepEqual(splitAtBoundaries('', 100), []);
  });
  it('splits at blank lines first, losslessly', () => {
    const chunks = splitAtBoundaries(paragraphs, 30);
    assert.equal(chunks.join(''), paragraphs);
    assert.deepEqual(chunks, ['First paragraph, one.\n\n', 'Second paragraph is here.\n\n', 'Third one closes.']);
  });
  it('packs several small paragraphs into one chunk', () => {
    const text = 'a\n\nb\n\nc\n\nd';
    assert.deepEqual(splitAtBoundaries(text, 6), ['a\n\nb\n\n', 'c\n\nd']);
  });
  it('falls back to lines, then sentences, then words, then a hard cut', () => {
    const lines = 'line one\nline two\nline three';
    assert.deepEqual(splitAtBoundaries(lines, 10), ['line one\n', 'line two\n', 'line three']);
    const sentences = 'One two. Three four. Five six.';
    assert.deepEqual(splitAtBoundaries(sentences, 12), ['One two. ', 'Three four. ', 'Five six.']);
    const words = 'alpha beta gamma delta';
    assert.deepEqual(splitAtBoundaries(words, 11), ['alpha beta ', 'gamma delta']);
    assert.deepEqual(splitAtBoundaries('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  });
  it('never exceeds the limit and always reassembles (random text)', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      let text = '';
      const n = Math.floor(rnd() * 400);
      for (let i = 0; i < n; i++) text += ['a', 'b', ' ', '\n', '.', '\n\n', 'word '][Math.floor(rnd() * 7)];
      const max = 1 + Math.floor(rnd() * 40);
      const chunks = splitAtBoundaries(text, max);
      assert.equal(chunks.join(''), text);
      for (const c of chunks) assert.ok(c.length <= max && c.length > 0, `chunk of ${c.length} > ${max}`);
    }
  });
  it('keeps whole functions together when they fit (code split at blank lines)', () => {
    const code = 'function a() {\n  return 1;\n}\n\nfunction b() {\n  return 2;\n}\n';
    const chunks = splitAtBoundaries(code, 35);
    assert.equal(chunks.length, 2);
    assert.ok(chunks[1].startsWith('function b'));
  });

  it('budgets input from context, overhead and the answer', () => {
    assert.equal(inputBudgetChars({ contextSize: 1000, overheadTokens: 100, outputTokens: 400, charsPerToken: 4 }), 1700);
    assert.equal(inputBudgetChars({ contextSize: 100, overheadTokens: 100, outputTokens: 400, charsPerToken: 4 }), 64);
    assert.equal(estimateTokens('1234567'), 2);
  });

  it('plans reduce groups that fit, with at least two members each', () => {
    assert.deepEqual(planReduceGroups([10, 10, 10, 10], 25), [[0, 1], [2, 3]]);
    assert.deepEqual(planReduceGroups([10, 10, 10], 25), [[0, 1, 2]]);
    assert.deepEqual(planReduceGroups([100, 100, 100, 100], 25), [[0, 1], [2, 3]]);
    assert.deepEqual(planReduceGroups([5, 5, 5, 5], 100), [[0, 1, 2, 3]]);
  });
  it('fits oversized parts by shortening each', () => {
    const fitted = fitParts(['a'.repeat(200), 'b'.repeat(10)], 100);
    assert.ok(fitted[0].length < 200 && fitted[0].endsWith('…'));
    assert.equal(fitted[1], 'b'.repeat(10));
    assert.deepEqual(fitParts(['x', 'y'], 100), ['x', 'y']);
  });

  it('maps every chunk in order, then reduces hierarchically to one answer', async () => {
    const chunks = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
    const reduces: Array<{ parts: string[]; final: boolean }> = [];
    const progress: string[] = [];
    const answer = await mapReduce(chunks, {
      maxChars: 12,
      map: async (c, i, n) => `m${c}/${i}/${n}`.slice(0, 6),
      reduce: async (parts, final) => {
        reduces.push({ parts, final });
        return `r(${parts.length})`;
      },
      onProgress: (p) => progress.push(`${p.phase}${p.done}/${p.total}`),
    });
    assert.equal(answer, 'r(4)');
    assert.deepEqual(reduces[0].parts, ['mc0/0/', 'mc1/1/']);
    assert.ok(reduces.length >= 3, 'more than one level');
    assert.deepEqual(reduces.map((r) => r.final), [...reduces.slice(0, -1).map(() => false), true]);
    assert.equal(progress[0], 'map0/8');
    assert.ok(progress.includes('map8/8'));
  });
  it('a single chunk needs no reduce', async () => {
    let reduced = false;
    const answer = await mapReduce(['only'], { maxChars: 10, map: async (c) => c.toUpperCase(), reduce: async () => ((reduced = true), '') });
    assert.equal(answer, 'ONLY');
    assert.equal(reduced, false);
  });
});
