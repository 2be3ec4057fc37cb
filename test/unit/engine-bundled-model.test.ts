/** An air-gapped VSIX finds the model it carries in its own models/ folder. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findBundledModel } from '../../src/engine/bundledModel';

describe('bundled model', () => {
  let ext: string;
  beforeEach(() => {
    ext = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-ext-'));
  });
  afterEach(() => fs.rmSync(ext, { recursive: true, force: true }));

  it('is none when the extension has no models folder', () => {
    assert.equal(findBundledModel(ext), undefined);
  });

  it('is none when the folder holds no GGUF file', () => {
    fs.mkdirSync(path.join(ext, 'models'));
    fs.writeFileSync(path.join(ext, 'models', 'README.txt'), 'x');
    assert.equal(findBundledModel(ext), undefined);
  });

  it('is the first GGUF file by name, whatever the case of its extension', () => {
    fs.mkdirSync(path.join(ext, 'models'));
    for (const f of ['b.gguf', 'A.GGUF', 'notes.md']) fs.writeFileSync(path.join(ext, 'models', f), 'x');
    assert.equal(findBundledModel(ext), path.join(ext, 'models', 'A.GGUF'));
  });
});
