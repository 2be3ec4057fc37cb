import * as assert from 'node:assert/strict';
import { fitModel, fitsTogether, type MachineMemory } from '../../src/models/fit';

const GiB = 1024 ** 3;

describe('models: fit', () => {
  const laptop8: MachineMemory = { totalRam: 8 * GiB, freeRam: 5 * GiB };
  const busy8: MachineMemory = { totalRam: 8 * GiB, freeRam: 1.5 * GiB };
  const desktop32: MachineMemory = { totalRam: 32 * GiB, freeRam: 20 * GiB };
  const withGpu: MachineMemory = { totalRam: 16 * GiB, freeRam: 6 * GiB, vram: { total: 8 * GiB, free: 7 * GiB } };

  const table: Array<{ name: string; need: number; machine: MachineMemory; verdict: string; reason: RegExp }> = [
    { name: '0.5B on an 8 GB laptop', need: 0.7 * GiB, machine: laptop8, verdict: 'fits', reason: /0\.7 GiB of the 5\.0 GiB free/ },
    { name: 'up to half of RAM and 80% of free memory', need: 4 * GiB, machine: laptop8, verdict: 'fits', reason: /4\.0 GiB/ },
    { name: 'more than 80% of free memory', need: 4.1 * GiB, machine: laptop8, verdict: 'tight', reason: /only 5\.0 GiB is free now/ },
    { name: 'fits in free memory but more than half the machine', need: 10 * GiB, machine: desktop32, verdict: 'fits', reason: /10\.0 GiB/ },
    { name: 'more than half of a big machine', need: 17 * GiB, machine: { totalRam: 32 * GiB, freeRam: 30 * GiB }, verdict: 'tight', reason: /more than half of this machine's 32\.0 GiB/ },
    { name: 'a busy laptop: close other programs', need: 2 * GiB, machine: busy8, verdict: 'tight', reason: /close other programs/ },
    { name: 'beyond 75% of RAM', need: 6.5 * GiB, machine: laptop8, verdict: 'noFit', reason: /too much for this machine's 8\.0 GiB/ },
    { name: 'on the GPU when it fits in 90% of free VRAM', need: 6 * GiB, machine: withGpu, verdict: 'fits', reason: /GPU's 7\.0 GiB free/ },
    { name: 'too big for the GPU falls back to RAM', need: 6.5 * GiB, machine: withGpu, verdict: 'tight', reason: /only 6\.0 GiB is free now/ },
    { name: 'a GPU with no free memory counts for nothing', need: 1 * GiB, machine: { ...laptop8, vram: { total: 4 * GiB, free: 0 } }, verdict: 'fits', reason: /of the 5\.0 GiB free/ },
  ];
  for (const t of table) {
    it(t.name, () => {
      const fit = fitModel(t.need, t.machine);
      assert.equal(fit.verdict, t.verdict, fit.reason);
      assert.match(fit.reason, t.reason);
      assert.equal(fit.needBytes, t.need);
    });
  }

  it('reports what it judged against', () => {
    assert.equal(fitModel(1 * GiB, withGpu).availableBytes, 7 * GiB);
    assert.equal(fitModel(7 * GiB, withGpu).availableBytes, 6 * GiB);
  });

  describe('two models at once', () => {
    it('both in RAM: the sum counts', () => {
      assert.equal(fitsTogether(1 * GiB, 1.5 * GiB, laptop8).verdict, 'fits');
      assert.equal(fitsTogether(2 * GiB, 2.5 * GiB, laptop8).verdict, 'tight');
      assert.equal(fitsTogether(3 * GiB, 3.5 * GiB, laptop8).verdict, 'noFit');
      assert.equal(fitsTogether(1 * GiB, 2 * GiB, laptop8).needBytes, 3 * GiB);
    });

    it('both on the GPU when the sum fits there', () => {
      const fit = fitsTogether(3 * GiB, 3 * GiB, withGpu);
      assert.equal(fit.verdict, 'fits');
      assert.match(fit.reason, /Both need about 6\.0 GiB; they fit in the GPU/);
    });

    it('the bigger on the GPU, the smaller in RAM', () => {
      const fit = fitsTogether(5 * GiB, 2 * GiB, withGpu);
      assert.equal(fit.verdict, 'fits');
      assert.match(fit.reason, /with the bigger one on the GPU, needs about 2\.0 GiB/);
      assert.equal(fit.needBytes, 7 * GiB);
      assert.equal(fitsTogether(5 * GiB, 5.5 * GiB, withGpu).verdict, 'tight');
    });

    it('neither fits the GPU: both share RAM', () => {
      const fit = fitsTogether(7 * GiB, 7 * GiB, withGpu);
      assert.equal(fit.verdict, 'noFit');
      assert.match(fit.reason, /^Not on the GPU; needs about 14\.0 GiB/);
    });
  });
});
