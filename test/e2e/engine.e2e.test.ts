/** A person's first run: the command palette's "Hearth: Test the Model" loads the model and shows its text. */
import * as assert from 'node:assert/strict';
import { ENGINE_STATUS_ITEM, runCommand, startWorkbench, type Workbench } from './harness';

describe('e2e: Hearth: Test the Model', function () {
  this.timeout(120_000);
  let wb: Workbench;
  before(async () => {
    wb = await startWorkbench();
  });

  it('runs from the command palette, shows the generated text, and the status bar says ready', async () => {
    const { page } = wb;
    await page.locator('.monaco-workbench').click({ position: { x: 400, y: 300 } }).catch(() => undefined);
    await runCommand(page, 'Hearth: Test the Model');
    const toast = page.locator('.notification-toast', { hasText: 'Hearth works' });
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    const text = await toast.innerText();
    assert.match(text, /stories260K\.gguf wrote \d+ tokens/);
    const item = page.locator(ENGINE_STATUS_ITEM);
    const label = (await item.getAttribute('aria-label')) ?? '';
    assert.match(label, /ready|generating/, label);
    await wb.screenshot('engine-test-the-model');
  });
});
