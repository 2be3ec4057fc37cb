/** A person choosing a model: the command palette's "Hearth: Choose Model…" lists models with fit and on-disk marks. */
import * as assert from 'node:assert/strict';
import { runCommand, startWorkbench, type Workbench } from './harness';

describe('e2e: Hearth: Choose Model…', function () {
  this.timeout(180_000);
  let wb: Workbench;
  before(async () => {
    wb = await startWorkbench();
  });

  it('shows the catalog ranked by fit and the models on disk, marked, for the chosen job', async () => {
    const { page } = wb;
    await page.keyboard.press('Escape');
    await runCommand(page, 'Hearth: Choose Model…');
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Completion model' }).first().waitFor();
    await input.fill('Completion model');
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Completion model' }).waitFor();
    await page.keyboard.press('Enter');
    // The list arrives once the machine is measured and the disk searched: the recommended catalog model first.
    const first = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Qwen2.5-Coder' }).first();
    await first.waitFor({ state: 'visible', timeout: 60_000 });
    const top = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).join('\n');
    assert.match(top, /Recommended for this machine/);
    assert.match(top, /fits|tight|does not fit/);
    assert.match(top, /download/);
    await wb.screenshot('models-choose-completion');
    // Filtering shows the fixture found in hearth.models.folders, marked as on disk; the plain fixture (no FIM
    // tokens) is not offered for completions.
    await input.fill('stories260K');
    const onDisk = page.locator('.quick-input-list .monaco-list-row', { hasText: 'stories260K-fim-chat.gguf' }).first();
    await onDisk.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await onDisk.innerText(), /on disk/);
    const filtered = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).join('\n');
    assert.ok(!/stories260K\.gguf/.test(filtered), `a model without FIM tokens was offered for completions:\n${filtered}`);
    await wb.screenshot('models-choose-on-disk');
    await page.keyboard.press('Escape');
  });
});
