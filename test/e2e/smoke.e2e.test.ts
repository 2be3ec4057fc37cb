import * as assert from 'assert';
import * as fs from 'node:fs';
import { HEARTH_STATUS_ITEM, startWorkbench, type Workbench } from './harness';

describe('e2e: workbench smoke', () => {
  let wb: Workbench;
  before(async () => {
    wb = await startWorkbench();
  });

  it('shows the Hearth status bar item', async () => {
    const item = wb.page.locator(HEARTH_STATUS_ITEM).first();
    assert.ok(await item.isVisible(), 'status bar item not visible');
    const statusbar = await wb.page.locator('.statusbar').innerText();
    const label = `${await item.getAttribute('aria-label')} ${await item.innerText()}`;
    assert.match(`${label} ${statusbar}`, /hearth/i, `no "Hearth" in status bar: ${statusbar}`);
    const file = await wb.screenshot('smoke-workbench');
    assert.ok(fs.statSync(file).size > 1000, 'screenshot is empty');
  });
});
