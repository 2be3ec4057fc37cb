import * as assert from 'node:assert/strict';
import { MAX_PROBE_EVERY_MS, PROBE_EVERY_MS, ThreadGovernor, type Phase } from '../../src/worker/threadGovernor';

/**
 * Drives the governor like the worker does (ask for a count, decode, record the timing) on a simulated machine
 * whose per-token cost for each thread count the test sets.
 */
function simulate(governor: ThreadGovernor, phase: Phase, msPerToken: (threads: number) => number, untilMs: number, clock: { now: number }) {
  const used: number[] = [];
  while (clock.now < untilMs) {
    const threads = governor.threadsFor(phase, clock.now);
    const ms = msPerToken(threads);
    clock.now += ms;
    governor.record(phase, threads, 1, ms);
    used.push(threads);
  }
  return used;
}

describe('worker: thread count on a busy machine (ThreadGovernor)', () => {
  const quiet = (t: number) => (t === 2 ? 13 : 23); // 77 and 43 tok/s: this machine, quiet
  const hogged = (t: number) => (t === 2 ? 140 : 26); // a busy loop on one core: two threads wait at every barrier

  it('on a quiet machine keeps the calibrated count, and probes one thread less and less often', () => {
    const clock = { now: 1 };
    const g = new ThreadGovernor({ batch: 2, generation: 2 });
    const used = simulate(g, 'generation', quiet, 120_000, clock);
    assert.equal(g.active('generation'), 2);
    assert.equal(g.switches, 0);
    const probes = used.filter((t) => t === 1).length;
    // Waits of 4, 8, 16, then 32 s: 6 probes of 4 tokens in two minutes, under 1 % of the tokens.
    assert.ok(probes > 0 && probes <= 6 * 4, `${probes} probe tokens`);
    assert.ok(probes / used.length < 0.01, `${probes} of ${used.length}`);
  });

  it('falls back to one thread within one probe when the machine gets busy, and comes back when it calms down', () => {
    const clock = { now: 1 };
    const g = new ThreadGovernor({ batch: 2, generation: 2 });
    simulate(g, 'generation', quiet, 60_000, clock);
    assert.equal(g.active('generation'), 2);
    // The machine gets busy: the calibrated count collapses; the stale one-thread speed already beats it.
    const busyFrom = clock.now;
    simulate(g, 'generation', hogged, busyFrom + 3_000, clock);
    assert.equal(g.active('generation'), 1, 'still on two threads 3 s into a 5x slowdown');
    const atOne = simulate(g, 'generation', hogged, busyFrom + 60_000, clock);
    assert.ok(atOne.filter((t) => t === 1).length / atOne.length > 0.9, 'mostly one thread while busy');
    assert.equal(g.active('generation'), 1);
    // Quiet again: back on two threads within a probe interval.
    const calmFrom = clock.now;
    simulate(g, 'generation', quiet, calmFrom + PROBE_EVERY_MS + 200, clock);
    assert.equal(g.active('generation'), 2);
    assert.equal(g.switches, 2);
    assert.deepEqual(g.changes.map((c) => [c.from, c.to]), [[2, 1], [1, 2]]);
  });

  it('with the calibration\'s speeds as priors, a collapse is caught within a few decodes, not at the first probe', () => {
    const clock = { now: 1 };
    const g = new ThreadGovernor({ batch: 2, generation: 2 }, undefined, { generation: { 1: 1 / 23, 2: 1 / 13 } });
    const used = simulate(g, 'generation', hogged, 1_000, clock);
    assert.equal(g.active('generation'), 1);
    assert.ok(used.indexOf(1) >= 0 && used.indexOf(1) <= 3, `first one-thread decode at ${used.indexOf(1)}`);
    // And on a quiet machine the priors change nothing.
    const calm = new ThreadGovernor({ batch: 2, generation: 2 }, undefined, { generation: { 1: 1 / 23, 2: 1 / 13 } });
    simulate(calm, 'generation', quiet, 60_000, { now: 1 });
    assert.equal(calm.switches, 0);
  });

  it('noise does not flap: a few slow tokens on the calibrated count do not switch it', () => {
    const clock = { now: 1 };
    const g = new ThreadGovernor({ batch: 2, generation: 2 });
    simulate(g, 'generation', quiet, 20_000, clock);
    for (const ms of [40, 35]) g.record('generation', 2, 1, ms); // a GC pause, a page fault
    simulate(g, 'generation', quiet, 40_000, clock);
    assert.equal(g.switches, 0);
  });

  it('phases are separate, and a calibrated single thread is never probed', () => {
    const clock = { now: 1 };
    const g = new ThreadGovernor({ batch: 2, generation: 1 });
    const gen = simulate(g, 'generation', hogged, MAX_PROBE_EVERY_MS * 2, clock);
    assert.ok(gen.every((t) => t === 1));
    const batch = simulate(g, 'batch', hogged, clock.now + 10_000, clock);
    assert.ok(batch.includes(2) && batch.includes(1));
    assert.equal(g.active('batch'), 1);
    assert.equal(g.active('generation'), 1);
  });
});
