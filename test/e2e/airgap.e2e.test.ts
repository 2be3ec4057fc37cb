/**
 * The air-gapped VSIX (`npm run package -- --bundle-model`), installed with no model setting: Hearth finds the
 * model it carries. Runs only in that setup (the e2e-airgap stage: HEARTH_VSIX names a VSIX built with a model,
 * HEARTH_NO_MODEL_SETTING=1); the chat and completion suites run beside it on the same workbench.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ENGINE_STATUS_ITEM, runTestTheModel, startWorkbench } from './harness';

// .ci/package.mjs names the VSIX after the model it carries: hearth-<target>-<version>-<model>.vsix.
const bundled = /^hearth-[a-z0-9]+-[a-z0-9]+-\d+\.\d+\.\d+-(.+)\.vsix$/.exec(path.basename(process.env.HEARTH_VSIX ?? ''))?.[1];

describe('e2e: air-gapped VSIX', function () {
  this.timeout(120_000);
  before(function () {
    if (!bundled || process.env.HEARTH_NO_MODEL_SETTING !== '1') this.skip();
  });

  it('uses the model it carries when no model is set', async () => {
    const wb = await startWorkbench();
    const text = await runTestTheModel(wb);
    assert.match(text, new RegExp(`${bundled!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.gguf wrote \\d+ tokens`), text);
    const label = (await wb.page.locator(ENGINE_STATUS_ITEM).getAttribute('aria-label')) ?? '';
    assert.doesNotMatch(label, /no model/, label);
  });
});
