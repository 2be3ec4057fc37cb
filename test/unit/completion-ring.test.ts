import * as assert from 'node:assert/strict';
import { ContextRing } from '../../src/completion/contextRing';

const code = (name: string, n = 10) => Array.from({ length: n }, (_, i) => `export const ${name}${i} = compute${i}(${i});`).join('\n');

describe('completion extra-context ring', () => {
  it('new chunks wait for freeze() before the prompt sees them', () => {
    const ring = new ContextRing();
    assert.equal(ring.add('a.ts', code('a')), true);
    assert.equal(ring.pending, true);
    assert.deepEqual(ring.forPrompt(), []);
    ring.freeze();
    assert.equal(ring.pending, false);
    assert.equal(ring.forPrompt().length, 1);
  });

  it('identical text is not added twice', () => {
    const ring = new ContextRing();
    ring.add('a.ts', code('a'));
    ring.freeze();
    assert.equal(ring.add('a.ts', code('a')), false);
    assert.equal(ring.add('clipboard', code('a')), false);
    assert.equal(ring.pending, false);
  });

  it('an edited region of the same file replaces its old chunk in place', () => {
    const ring = new ContextRing();
    ring.add('a.ts', code('a'));
    ring.add('b.ts', code('b'));
    const edited = code('a').replace('compute3(3)', 'compute3(33)');
    assert.equal(ring.add('a.ts', edited), true);
    assert.deepEqual(ring.all.map((c) => c.source), ['a.ts', 'b.ts']);
    assert.equal(ring.all[0].text, edited);
  });

  it('similar text from another source is a duplicate', () => {
    const ring = new ContextRing();
    ring.add('a.ts', code('a'));
    assert.equal(ring.add('clipboard', code('a', 8)), false);
  });

  it('drops the oldest when full', () => {
    const ring = new ContextRing({ maxChunks: 3, chunkLines: 32, maxChunkChars: 4000 });
    for (const n of ['a', 'b', 'c', 'd']) ring.add(`${n}.ts`, code(n));
    assert.deepEqual(ring.all.map((c) => c.source), ['b.ts', 'c.ts', 'd.ts']);
  });

  it('chunks around the given line, bounded in lines and characters', () => {
    const ring = new ContextRing({ maxChunks: 4, chunkLines: 8, maxChunkChars: 4000 });
    ring.add('big.ts', code('x', 100), 50);
    const text = ring.all[0].text;
    assert.equal(text.split('\n').length, 8);
    assert.ok(text.includes('x50 '));
    const small = new ContextRing({ maxChunks: 4, chunkLines: 100, maxChunkChars: 200 });
    small.add('big.ts', code('x', 100));
    assert.ok(small.all[0].text.length <= 200);
  });

  it('ignores chunks too small to help', () => {
    const ring = new ContextRing();
    assert.equal(ring.add('clipboard', 'x'), false);
    assert.equal(ring.add('clipboard', 'oneline but long enough text'), false);
  });

  it('leaves the current file out of the prompt', () => {
    const ring = new ContextRing();
    ring.add('a.ts', code('a'));
    ring.add('b.ts', code('b'));
    ring.freeze();
    assert.deepEqual(ring.forPrompt('a.ts').map((c) => c.source), ['b.ts']);
  });
});
