// Where the webview breaks long unbroken runs (src/chat/webview/longRuns.ts). The DOM side runs in the real
// webview in the fuzz e2e test; the cut rule itself is plain string logic, checked here.
import * as assert from 'node:assert/strict';
import { cutPoints, RUN_LIMIT } from '../../src/chat/webview/longRuns';

/** The text's pieces between cuts, as the webview would lay them out between <wbr>s. */
function pieces(text: string, limit = RUN_LIMIT): string[] {
  const out: string[] = [];
  let from = 0;
  for (const at of cutPoints(text, limit)) {
    out.push(text.slice(from, at));
    from = at;
  }
  out.push(text.slice(from));
  return out;
}

/** Longest stretch with no break opportunity (a space, a newline or a cut). */
function longestRun(text: string, limit = RUN_LIMIT): number {
  return Math.max(...pieces(text, limit).flatMap((p) => p.split(/[ \t\n\r\f\u200b]/).map((w) => w.length)));
}

describe('chat webview: long unbroken runs', () => {
  it('leaves ordinary prose, code and URLs alone', () => {
    const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(500);
    assert.deepEqual(cutPoints(prose), []);
    assert.deepEqual(cutPoints('const someRatherLongIdentifierName = anotherLongFunctionName(argumentOne);'), []);
    assert.deepEqual(cutPoints('https://example.com/a/path/that/is/quite/long?query=string&x=1'), []);
    assert.deepEqual(cutPoints('x'.repeat(RUN_LIMIT)), [], 'a run of exactly the limit is not cut');
  });

  it('cuts a 200,000-letter word every RUN_LIMIT letters, losing nothing', () => {
    const word = 'A'.repeat(200_000);
    const parts = pieces(word);
    assert.equal(parts.join(''), word);
    assert.equal(parts.length, Math.ceil(word.length / RUN_LIMIT));
    assert.ok(parts.every((p) => p.length <= RUN_LIMIT));
  });

  it('counts a run from the last break opportunity, and NBSP is not one', () => {
    const text = `${'a'.repeat(60)} ${'b'.repeat(100)}\n${'c'.repeat(10)}`;
    assert.deepEqual(cutPoints(text), [61 + RUN_LIMIT]);
    const nbsp = `${'a'.repeat(50)}\u00a0${'b'.repeat(50)}`;
    assert.equal(cutPoints(nbsp).length, 1);
    assert.ok(longestRun(nbsp) <= RUN_LIMIT);
  });

  it('never separates a surrogate pair, a combining mark or a joiner from what precedes it', () => {
    for (const unit of ['😀', 'e\u0301', '👩\u200d💻', '\u2764\ufe0f', '𝒜']) {
      const text = unit.repeat(500);
      const parts = pieces(text);
      assert.equal(parts.join(''), text);
      for (const p of parts.slice(1)) {
        assert.ok(!/^[\udc00-\udfff\p{M}\u200c\u200d\ufe00-\ufe0f]/u.test(p), `a piece of ${JSON.stringify(unit)} starts with a joining unit: ${JSON.stringify(p.slice(0, 4))}`);
      }
      assert.ok(longestRun(text) <= RUN_LIMIT + 3, `runs of ${longestRun(text)} in ${JSON.stringify(unit)}×500`);
    }
  });
});
