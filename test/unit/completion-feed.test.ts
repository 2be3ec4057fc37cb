import * as assert from 'node:assert/strict';
import { ClipboardSampler } from '../../src/completion/clipboardSampler';
import { IdleTimer } from '../../src/completion/idleTimer';
import { recordShown, type ShownEntry } from '../../src/completion/shownLog';

describe('completion context feed parts', () => {
  it('reads the clipboard at most every two seconds and takes only new, small copies', () => {
    let now = 10_000;
    const sampler = new ClipboardSampler(() => now);
    assert.equal(sampler.due(), true);
    assert.equal(sampler.due(), false);
    now += 1999;
    assert.equal(sampler.due(), false);
    now += 1;
    assert.equal(sampler.due(), true);
    assert.equal(sampler.take('const a = 1;'), 'const a = 1;');
    assert.equal(sampler.take('const a = 1;'), undefined, 'the same copy again');
    assert.equal(sampler.take('x'.repeat(20_001)), undefined, 'too large');
    assert.equal(sampler.take('x'.repeat(20_000)), 'x'.repeat(20_000));
  });

  it('runs the idle task once after the quiet period and aborts it on activity', async () => {
    const signals: AbortSignal[] = [];
    const idle = new IdleTimer(30, (signal) => signals.push(signal));
    idle.restart();
    await new Promise((r) => setTimeout(r, 10));
    idle.restart();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(signals.length, 0, 'activity restarts the count');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(signals.length, 1);
    assert.equal(signals[0].aborted, false);
    idle.restart();
    assert.equal(signals[0].aborted, true, 'activity aborts the running task');
    idle.dispose();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(signals.length, 1, 'disposed: never runs again');
  });

  it('keeps the last 500 shown suggestions', () => {
    const log: ShownEntry[] = [];
    for (let i = 0; i < 510; i++) recordShown(log, { uri: 'u', requestedVersion: i, servedVersion: i, text: 't', fromCache: false });
    assert.equal(log.length, 500);
    assert.equal(log[0].requestedVersion, 10);
  });
});
