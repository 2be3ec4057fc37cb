import * as assert from 'node:assert/strict';
import type { Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { loadKey, respawnDelayMs, defaultEngineConfig } from '../../src/engine/config';
import { commonPrefixLength, FIRST_SLICE_MS, fitToContext, MAX_SLICE_MS, MIN_SLICE_TOKENS, PrefillRun, RUN_GAP_MS, SliceSizer, sliceTargetMs, stableLength } from '../../src/worker/generate';
import { estimateMemoryBytes, expectedDataEnd, tensorBytes } from '../../src/worker/ggmlTypes';
import { cutText, findStop, partialStopLength } from '../../src/common/stopText';
import { chooseBatchThreads, chooseThreads, sizeClassOf, threadCandidates } from '../../src/worker/threadChoice';

/** llama.cpp token ids are branded numbers; tests build them from plain ones. */
const t = (...ids: number[]) => ids as unknown as Token[];

describe('engine pure logic', () => {
  describe('thread choice', () => {
    it('picks the fastest generation', () => {
      assert.equal(chooseThreads([{ threads: 1, promptTps: 4000, generationTps: 1300 }, { threads: 2, promptTps: 4200, generationTps: 60 }], 2), 1);
      assert.equal(chooseThreads([{ threads: 1, promptTps: 300, generationTps: 40 }, { threads: 2, promptTps: 600, generationTps: 80 }], 2), 2);
    });
    it('keeps a core for the editor unless the extra thread is clearly faster', () => {
      // Measured on this 2-core VM in a quiet moment: the second thread looked 11% faster.
      assert.equal(chooseThreads([{ threads: 1, promptTps: 365, generationTps: 96.7 }, { threads: 2, promptTps: 650, generationTps: 107.9 }], 2), 1);
      assert.equal(chooseThreads([{ threads: 1, promptTps: 365, generationTps: 60 }, { threads: 2, promptTps: 650, generationTps: 100 }], 2), 2);
      assert.equal(chooseThreads([{ threads: 1, promptTps: 365, generationTps: 60 }], 1), 1);
    });
    it('prompts use more threads than generation only when that is clearly faster', () => {
      const m = [{ threads: 1, promptTps: 172, generationTps: 78 }, { threads: 2, promptTps: 325, generationTps: 80 }];
      assert.equal(chooseThreads(m, 2), 1, 'generation leaves a core to the editor');
      assert.equal(chooseBatchThreads(m, 1), 2, 'prompts borrow it: 1.9× faster');
      assert.equal(chooseBatchThreads([{ threads: 1, promptTps: 300, generationTps: 78 }, { threads: 2, promptTps: 330, generationTps: 80 }], 1), 1, '10 % is not worth it');
      assert.equal(chooseBatchThreads([], 1), 1);
    });
    it('leaves a core for the editor when that is not slower', () => {
      const m = [1, 2, 3, 4].map((t) => ({ threads: t, promptTps: t * 100, generationTps: t < 3 ? 50 : 51 }));
      assert.equal(chooseThreads(m, 4), 3);
    });
    it('among equally fast counts prefers faster prompt evaluation', () => {
      assert.equal(chooseThreads([{ threads: 1, promptTps: 380, generationTps: 90 }, { threads: 2, promptTps: 740, generationTps: 89 }, { threads: 3, promptTps: 900, generationTps: 90 }], 4), 3);
    });
    it('candidates cover every count up to 4 and the core count', () => {
      assert.deepEqual(threadCandidates(2), [1, 2]);
      assert.deepEqual(threadCandidates(8), [1, 2, 3, 4, 7, 8]);
      assert.deepEqual(threadCandidates(16), [1, 2, 3, 4, 8, 12, 15, 16]);
    });
    it('size classes', () => {
      assert.equal(sizeClassOf(1_185_376), 'tiny');
      assert.equal(sizeClassOf(275_668_928), 'small');
      assert.equal(sizeClassOf(4.5e9), 'large');
    });
  });

  describe('GGUF arithmetic', () => {
    it('tensor sizes by type', () => {
      assert.equal(tensorBytes({ ggmlType: 0, dimensions: [10, 3] }), 120);
      assert.equal(tensorBytes({ ggmlType: 2, dimensions: [64, 2] }), 4 * 18);
      assert.equal(tensorBytes({ ggmlType: 14, dimensions: [256] }), 210);
      assert.equal(tensorBytes({ ggmlType: 999, dimensions: [1] }), undefined);
    });
    it('expected data end is the furthest known tensor end', () => {
      assert.equal(expectedDataEnd([
        { ggmlType: 0, dimensions: [4], fileOffset: 100 },
        { ggmlType: 1, dimensions: [8], fileOffset: 200 },
        { ggmlType: 999, dimensions: [1_000_000], fileOffset: 300 },
      ]), 216);
    });
    it('memory estimate grows with the file and the context', () => {
      const base = { fileSize: 1e8, contextCells: 1024, layers: 24, embedding: 896, heads: 14, kvHeads: 2 };
      assert.ok(estimateMemoryBytes(base) > 1.8e8);
      assert.ok(estimateMemoryBytes({ ...base, contextCells: 8192 }) > estimateMemoryBytes(base));
    });
  });

  describe('stop strings', () => {
    it('finds the earliest stop', () => {
      assert.equal(findStop('abc\n\nxyz', ['xyz', '\n\n']), 3);
      assert.equal(findStop('abc', ['d']), undefined);
    });
    it('cuts streamed text at the earliest stop string, else after the allowed lines', () => {
      assert.deepEqual(cutText('a\nb\nc', [], 2), { visible: 'a\nb', reason: 'maxLines' });
      assert.deepEqual(cutText('a\nb', [], 2), { visible: 'a\nb' });
      assert.deepEqual(cutText('a END\nb\nc', ['END'], 1), { visible: 'a ', reason: 'stop' });
      assert.deepEqual(cutText('abc', ['x'], undefined), { visible: 'abc' });
    });
    it('holds back a possible stop prefix', () => {
      assert.equal(partialStopLength('hello ##', ['### user']), 2);
      assert.equal(partialStopLength('hello', ['### user']), 0);
      assert.equal(partialStopLength('x\n', ['\n\n']), 1);
    });
  });

  describe('prompt fitting and reuse', () => {
    it('common prefix', () => {
      assert.equal(commonPrefixLength(t(1, 2, 3), t(1, 2, 4)), 2);
      assert.equal(commonPrefixLength([], t(1)), 0);
    });
    it('drops the oldest tokens but keeps BOS', () => {
      const tokens = t(1, ...Array.from({ length: 100 }, (_, i) => i + 10));
      const fitted = fitToContext(tokens, 64, 16, t(1)[0]);
      assert.equal(fitted.tokens[0], 1);
      assert.equal(fitted.tokens.length, 47);
      assert.equal(fitted.tokens.at(-1), 109);
      assert.equal(fitted.dropped, tokens.length - 47);
      assert.deepEqual(fitToContext(t(1, 2, 3), 64, 16, t(1)[0]), { tokens: [1, 2, 3], dropped: 0 });
    });
    it('slice length follows the measured speed, within a floor and a batch', () => {
      const s = new SliceSizer();
      for (let i = 0; i < 12; i++) s.record(64, 170); // ~376 tok/s
      assert.equal(s.sizeFor(100), 38);
      s.record(40, 400); // one slow slice (a busy spell) moves the estimate halfway
      assert.ok(s.sizeFor(100) > 20 && s.sizeFor(100) < 38, String(s.sizeFor(100)));
      for (let i = 0; i < 12; i++) s.record(40, 10); // 4 tok/ms
      assert.equal(s.sizeFor(100), 400);
      assert.equal(s.sizeFor(10_000), 512, 'never more than a batch');
      for (let i = 0; i < 12; i++) s.record(9, 300); // a machine so busy that every call waits for a core
      assert.equal(s.sizeFor(60), MIN_SLICE_TOKENS, 'never slices so short that the per-call wait is all the cost');
    });
    it('slices start short and grow as the prompt ages, up to the cap', () => {
      assert.equal(sliceTargetMs(0), FIRST_SLICE_MS);
      assert.ok(sliceTargetMs(200) > FIRST_SLICE_MS);
      assert.equal(sliceTargetMs(60_000), MAX_SLICE_MS);
      assert.equal(sliceTargetMs(60_000, 100), 100, 'a lane that must yield caps its slices');
    });
    it('keystroke after keystroke at one place is one prefill run: its age, not each request\'s, sizes the slices', () => {
      const run = new PrefillRun();
      assert.equal(run.join(1000, 300), 1000, 'a jump: a new run from the first token that differs');
      run.sliceDone(1100);
      // The next keystroke's request (or the background continuation) keeps what the run evaluated.
      assert.equal(run.join(1150, 420), 1000);
      run.sliceDone(1400);
      assert.equal(run.join(1450, 560), 1000);
      // It keeps nothing the run evaluated (a jump elsewhere): a new run.
      assert.equal(run.join(1500, 120), 1500);
      run.sliceDone(1600);
      // After a pause longer than the gap: a new run, even at the same place.
      assert.equal(run.join(1600 + RUN_GAP_MS + 1, 900), 1600 + RUN_GAP_MS + 1);
      run.sliceDone(2100);
      // Once the prompt is in and generation starts, the next keystroke's few tokens start afresh.
      run.end();
      assert.equal(run.join(2150, 950), 2150);
    });
    it('the stable part of a prompt leaves out its last tokens (the line being typed)', () => {
      assert.equal(stableLength(t(...Array.from({ length: 1000 }, (_, i) => i))), 976);
      assert.equal(stableLength(t(...Array.from({ length: 50 }, (_, i) => i))), 45);
      assert.equal(stableLength(t()), 0);
    });
  });

  describe('config', () => {
    it('reload key changes only with load-relevant settings', () => {
      assert.equal(loadKey({ ...defaultEngineConfig, idleUnloadMinutes: 1 }), loadKey({ ...defaultEngineConfig, idleUnloadMinutes: 5 }));
      assert.notEqual(loadKey({ ...defaultEngineConfig, threads: 1 }), loadKey(defaultEngineConfig));
    });
    it('respawn backoff', () => {
      assert.deepEqual([0, 1, 2, 3, 4, 10].map(respawnDelayMs), [0, 0, 1000, 2000, 4000, 30000]);
    });
  });
});
