/** What Choose Model… offers: ranked by fit, never a model that does not fit as the default, disk models that suit the job. */
import * as assert from 'node:assert/strict';
import type { CatalogEntry } from '../../src/models/catalog';
import { buildChoices, suits } from '../../src/models/choices';
import type { DiscoveredModel } from '../../src/models/discovery';

const GiB = 1024 ** 3;
function entry(id: string, sizeBytes: number, quality: number, jobs: CatalogEntry['jobs'] = ['completion']): CatalogEntry {
  return {
    id, jobs, name: id, publisher: 'p', repo: `p/${id}`, file: `${id}.gguf`, sizeBytes, sha256: null, hashSource: 'trust-on-first-use',
    license: 'Apache-2.0', gated: false, parameters: '1B', quantization: 'Q4_0', contextLength: 4096, fim: jobs.includes('completion'),
    chatTemplate: jobs.includes('assistant'), quality, why: 'test',
  };
}
const disk = (name: string, fim: boolean, chat: boolean): DiscoveredModel => ({
  path: `/models/${name}`, source: 'folder', displayName: name, sizeBytes: 0.3 * GiB,
  facts: { architecture: 'llama', hasChatTemplate: chat, supportsFim: fim },
});

describe('models: choices for a job', () => {
  const catalog = [entry('small', 0.5 * GiB, 1), entry('big', 20 * GiB, 9), entry('mid', 1.5 * GiB, 5), entry('chatty', 1 * GiB, 5, ['assistant'])];
  const machine = { totalRam: 8 * GiB, freeRam: 6 * GiB };

  it('puts models that fit first with the best that fits as the default, lists one that does not fit last and never as the default', () => {
    const choices = buildChoices({ job: 'completion', catalog, machine, downloaded: new Set(['small']), pinned: new Set(), discovered: [] });
    const ids = choices.map((c) => (c.action.kind === 'catalog' ? c.action.entry.id : c.label));
    assert.deepEqual(ids, ['mid', 'small', 'big']);
    assert.equal(choices.filter((c) => c.picked).length, 1);
    assert.equal(choices[0].picked, true);
    assert.match(choices[0].label, /star/);
    const big = choices[2];
    assert.equal(big.picked, false);
    assert.equal(big.section, 'More models');
    assert.match(big.description, /does not fit/);
    assert.match(choices[1].description, /on disk/);
    assert.match(choices[0].description, /download/);
    assert.match(choices[0].detail, /fill-in-the-middle/);
    assert.match(choices[0].detail, /Apache-2\.0/);
  });

  it('offers files on disk only for the jobs their header suits', () => {
    const discovered = [disk('coder.gguf', true, false), disk('instruct.gguf', false, true), disk('plain.gguf', false, false)];
    const forCompletion = buildChoices({ job: 'completion', catalog: [], machine, downloaded: new Set(), pinned: new Set(), discovered });
    const forAssistant = buildChoices({ job: 'assistant', catalog: [], machine, downloaded: new Set(), pinned: new Set(), discovered });
    assert.deepEqual(forCompletion.map((c) => c.label), ['coder.gguf']);
    assert.deepEqual(forAssistant.map((c) => c.label), ['instruct.gguf']);
    assert.equal(forAssistant[0].section, 'Already on this machine');
    assert.equal(suits({ ...discovered[0], facts: undefined, error: 'not GGUF' }, 'completion'), false);
  });

  it('says where the hash comes from: the publisher, pinned here, or to be pinned', () => {
    const published = { ...entry('pub', GiB, 1), sha256: 'a'.repeat(64), hashSource: 'publisher' as const };
    const choices = buildChoices({ job: 'completion', catalog: [published, entry('pinned', GiB, 1), entry('new', GiB, 1)], machine, downloaded: new Set(), pinned: new Set(['pinned']), discovered: [] });
    const detail = (id: string) => choices.find((c) => c.action.kind === 'catalog' && c.action.entry.id === id)!.detail;
    assert.match(detail('pub'), /from the publisher/);
    assert.match(detail('pinned'), /pinned on first download/);
    assert.match(detail('new'), /pinned by the first download/);
  });
});
