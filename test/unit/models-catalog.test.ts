import * as assert from 'node:assert/strict';
import { CATALOG, type CatalogEntry } from '../../src/models/catalog';
import { validateCatalog, validateCatalogEntry } from '../../src/models/catalogSchema';
import type { Fit, FitVerdict } from '../../src/models/fit';
import { recommended } from '../../src/models/recommend';

const fit = (verdict: FitVerdict): Fit => ({ verdict, needBytes: 1, availableBytes: 1, reason: verdict });

describe('models: catalog', () => {
  it('every entry is valid, and ids and files are unique', () => {
    assert.deepEqual(validateCatalog(CATALOG), []);
  });

  it('offers the models the issue names for each job', () => {
    const ids = (job: string) => CATALOG.filter((e) => e.jobs.includes(job as never)).map((e) => e.id);
    assert.deepEqual(ids('completion').sort(), ['granite-4.0-1b-base-q4_k_m', 'qwen2.5-coder-0.5b-base-q8_0', 'qwen2.5-coder-1.5b-base-q8_0']);
    for (const id of ['smollm2-360m-instruct-q8_0', 'smollm2-1.7b-instruct-q4_k_m', 'qwen2.5-coder-1.5b-instruct-q4_k_m', 'phi-4-mini-instruct-q4_k_m', 'gemma-3-1b-it-qat-q4_0', 'gemma-3-4b-it-qat-q4_0']) {
      assert.ok(ids('assistant').includes(id), id);
    }
    assert.ok(CATALOG.filter((e) => e.repo.startsWith('google/')).every((e) => e.gated));
  });

  it('an approximate size or an unpinned hash is said, never hidden', () => {
    for (const e of CATALOG) {
      assert.equal(e.sha256 === null, e.hashSource === 'trust-on-first-use', e.id);
      // Round publisher figures ("1.65 GB") are approximate by nature.
      if (e.sizeBytes % 1_000_000 === 0) assert.equal(e.sizeApprox, true, e.id);
    }
  });

  describe('validation catches', () => {
    const good = CATALOG[0];
    const cases: Array<{ name: string; patch: Partial<Record<keyof CatalogEntry, unknown>>; problem: RegExp }> = [
      { name: 'no jobs', patch: { jobs: [] }, problem: /at least one job/ },
      { name: 'an unknown job', patch: { jobs: ['embedding'] }, problem: /jobs may only be/ },
      { name: 'a completion model without FIM', patch: { fim: false }, problem: /fill-in-the-middle/ },
      { name: 'an assistant without a chat template', patch: { jobs: ['assistant'], chatTemplate: false }, problem: /chat template/ },
      { name: 'a short hash', patch: { sha256: 'abc123' }, problem: /64 lowercase hex/ },
      { name: 'an uppercase hash', patch: { sha256: 'D'.repeat(64) }, problem: /64 lowercase hex/ },
      { name: 'a hash with trust on first use', patch: { hashSource: 'trust-on-first-use' }, problem: /sha256 null/ },
      { name: 'no hash without trust on first use', patch: { sha256: null }, problem: /64 lowercase hex/ },
      { name: 'an unknown hash source', patch: { hashSource: 'vibes' }, problem: /hashSource/ },
      { name: 'a zero size', patch: { sizeBytes: 0 }, problem: /sizeBytes/ },
      { name: 'an empty license', patch: { license: ' ' }, problem: /license/ },
      { name: 'a gated entry that does not say how to get access', patch: { gated: true }, problem: /gated entry must say/ },
      { name: 'a folder in the file name', patch: { file: '../../etc/x.gguf' }, problem: /plain \.gguf file name/ },
      { name: 'not a .gguf', patch: { file: 'model.bin' }, problem: /plain \.gguf file name/ },
      { name: 'a repo that is not owner/name', patch: { repo: 'justaname' }, problem: /repo id/ },
      { name: 'a two-line why', patch: { why: 'a\nb' }, problem: /one line/ },
      { name: 'a parameter count without unit', patch: { parameters: '500' }, problem: /parameters/ },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const problems = validateCatalogEntry({ ...good, ...c.patch });
        assert.ok(problems.some((p) => c.problem.test(p)), problems.join('; ') || 'no problem found');
      });
    }

    it('a repeated id', () => {
      assert.match(validateCatalog([good, { ...good, file: 'other.gguf' }]).join('\n'), /id is used twice/);
    });

    it('not an object', () => {
      assert.deepEqual(validateCatalogEntry(null), ['an entry must be an object']);
    });
  });

  describe('recommended', () => {
    const verdicts: Record<string, FitVerdict> = {
      'phi-4-mini-instruct-q4_k_m': 'noFit',
      'gemma-3-4b-it-qat-q4_0': 'tight',
      'qwen2.5-coder-1.5b-instruct-q4_k_m': 'fits',
      'smollm2-1.7b-instruct-q4_k_m': 'fits',
      'gemma-3-1b-it-qat-q4_0': 'fits',
      'smollm2-360m-instruct-q8_0': 'fits',
    };

    it('puts what fits first, best first, and defaults to the best that fits', () => {
      const r = recommended('assistant', (e) => fit(verdicts[e.id] ?? 'noFit'));
      assert.deepEqual(r.ranked.map((x) => x.entry.id), [
        'qwen2.5-coder-1.5b-instruct-q4_k_m', 'smollm2-1.7b-instruct-q4_k_m', 'gemma-3-1b-it-qat-q4_0', 'smollm2-360m-instruct-q8_0',
        'gemma-3-4b-it-qat-q4_0', 'phi-4-mini-instruct-q4_k_m',
      ]);
      assert.equal(r.default?.id, 'qwen2.5-coder-1.5b-instruct-q4_k_m');
      assert.equal(r.ranked[0].fit.verdict, 'fits');
    });

    it('only lists entries for the job', () => {
      const r = recommended('completion', () => fit('fits'));
      assert.ok(r.ranked.every((x) => x.entry.jobs.includes('completion')));
      assert.equal(r.default?.id, 'qwen2.5-coder-1.5b-base-q8_0');
    });

    it('when nothing fits comfortably, defaults to the smallest tight one; when nothing fits at all, to none', () => {
      const tight = recommended('completion', (e) => fit(e.sizeBytes > 1e9 ? 'noFit' : 'tight'));
      assert.equal(tight.default?.id, 'qwen2.5-coder-0.5b-base-q8_0');
      assert.equal(recommended('completion', () => fit('noFit')).default, undefined);
    });
  });
});
