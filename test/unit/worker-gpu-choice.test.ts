/** `hearth.gpu: auto` says which device llama.cpp runs on, and why the CPU when it ends there. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeGpuChoice, gpuBuildsIn } from '../../src/worker/gpuChoice';

describe('GPU choice', () => {
  it('names the GPU in use', () => {
    assert.equal(describeGpuChoice('auto', 'vulkan', [], ['vulkan']), 'llama.cpp runs on the GPU (vulkan)');
  });

  it('says the setting is off', () => {
    assert.match(describeGpuChoice('off', false, ['cuda'], ['vulkan']), /CPU \(hearth\.gpu is off\)/);
  });

  it('says no driver was found when the machine has none', () => {
    assert.match(describeGpuChoice('auto', false, [false], ['vulkan']), /no GPU driver .* was found/);
  });

  it('says the VSIX has no build for the driver the machine has', () => {
    const line = describeGpuChoice('auto', false, ['cuda', false], ['vulkan']);
    assert.match(line, /has cuda, but this build of Hearth carries GPU support for vulkan/);
    assert.match(describeGpuChoice('auto', false, ['vulkan'], []), /carries GPU support for none/);
  });

  it('says a build that was there did not start', () => {
    assert.match(describeGpuChoice('auto', false, ['vulkan', 'cuda'], ['vulkan']), /the vulkan build did not start/);
  });

  it('reads the GPU kinds from the binary packages an extension carries', () => {
    const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-gpu-'));
    try {
      assert.deepEqual(gpuBuildsIn(ext), []);
      for (const p of ['linux-x64', 'linux-x64-vulkan', 'linux-x64-cuda', 'linux-x64-cuda-ext']) fs.mkdirSync(path.join(ext, 'node_modules', '@node-llama-cpp', p), { recursive: true });
      assert.deepEqual(gpuBuildsIn(ext), ['cuda', 'vulkan']);
    } finally {
      fs.rmSync(ext, { recursive: true, force: true });
    }
  });
});
