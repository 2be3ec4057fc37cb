import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOG } from '../../src/models/catalog';
import { testCatalogFromEnvironment } from '../../src/models/testCatalog';

describe('models: the UI tests\' catalog (HEARTH_TEST_CATALOG, development builds only)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-test-catalog-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (value: unknown) => {
    const file = path.join(dir, 'catalog.json');
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };

  it('is absent without the variable', () => {
    assert.equal(testCatalogFromEnvironment({}), undefined);
  });
  it('reads valid entries', () => {
    const entries = testCatalogFromEnvironment({ HEARTH_TEST_CATALOG: write([CATALOG[0]]) });
    assert.deepEqual(entries, [CATALOG[0]]);
  });
  it('refuses a file the catalog schema rejects, naming the problem', () => {
    assert.throws(() => testCatalogFromEnvironment({ HEARTH_TEST_CATALOG: write([{ ...CATALOG[0], parameters: '260K' }]) }), /parameters must look like/);
    assert.throws(() => testCatalogFromEnvironment({ HEARTH_TEST_CATALOG: write({ entries: [] }) }), /must hold an array/);
  });
});
