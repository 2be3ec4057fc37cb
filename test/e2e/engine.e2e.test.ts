/** A person's first run: the command palette's "Hearth: Test the Model" loads the model and shows its text. */
import * as assert from 'node:assert/strict';
import { ENGINE_STATUS_ITEM, runTestTheModel, startWorkbench, type Workbench } from './harness';

describe('e2e: Hearth: Test the Model', function () {
  this.timeout(120_000);
  let wb: Workbench;
  before(async () => {
    wb = await startWorkbench();
  });

  it('runs from the command palette, shows the generated text, and the status bar says ready', async () => {
    const { page } = wb;
    const text = await runTestTheModel(wb);
    assert.match(text, /stories260K\.gguf wrote \d+ tokens/);
    const item = page.locator(ENGINE_STATUS_ITEM);
    const label = (await item.getAttribute('aria-label')) ?? '';
    assert.match(label, /ready|generating/, label);
    await wb.screenshot('engine-test-the-model');
  });
});
