import * as assert from 'node:assert/strict';
import { AdaptiveDebounce, debounceDelay } from '../../src/completion/debounce';

describe('completion debounce arithmetic', () => {
  const limits = { minMs: 10, maxMs: 200 };
  const table: Array<[string, number | undefined, number | undefined, { minMs: number; maxMs: number }, number]> = [
    ['no history: minimum', undefined, undefined, limits, 10],
    ['no latency yet: minimum', 120, undefined, limits, 10],
    ['model keeps up with typing: minimum', 120, 150, limits, 10],
    ['model at twice the gap: still minimum', 100, 200, limits, 10],
    ['model much slower than typing: half a gap', 120, 900, limits, 60],
    ['slow typist and slow model: capped', 800, 3000, limits, 200],
    ['fast typist: at least the minimum', 12, 900, limits, 10],
    ['max below min: min wins', 300, 3000, { minMs: 50, maxMs: 20 }, 50],
    ['negative min treated as zero', 10, 900, { minMs: -5, maxMs: 100 }, 5],
  ];
  for (const [name, interval, latency, l, expected] of table) {
    it(name, () => assert.equal(debounceDelay(interval, latency, l), expected));
  }

  it('learns the typing gap, ignoring pauses', () => {
    const d = new AdaptiveDebounce(() => limits);
    let t = 0;
    for (let i = 0; i < 20; i++) d.recordKeystroke((t += 100));
    d.recordKeystroke((t += 5000)); // a pause is not typing speed
    assert.ok(Math.abs(d.typingIntervalMs! - 100) < 1);
    d.recordLatency(1000);
    assert.equal(d.delayMs(), 50);
    for (let i = 0; i < 30; i++) d.recordLatency(100);
    assert.equal(d.delayMs(), 10);
  });
});
