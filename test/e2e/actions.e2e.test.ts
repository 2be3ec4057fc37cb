// A person's path through a selection action: right-click a selection → Hearth → Rewrite Selection, the diff
// opens, Accept, and the file really changes (only the selected line).
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openFile, startWorkbench, type Workbench } from './harness';

describe('e2e: selection actions', () => {
  let wb: Workbench;
  before(async () => {
    wb = await startWorkbench();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb.screenshot('actions-e2e-failure').catch(() => undefined);
  });

  it('right-click → Hearth → Rewrite Selection, the diff opens, Accept changes the file', async () => {
    const { page } = wb;
    const file = path.join(wb.workspaceDir, 'actions-e2e.txt');
    const original = 'Keep this first line.\nthe dog run fast to the park and it were happy.\nKeep this last line.\n';
    fs.writeFileSync(file, original);

    // Open the file with Quick Open, as a person would.
    await page.locator('.monaco-workbench').click({ position: { x: 400, y: 300 } }).catch(() => undefined);
    await openFile(wb, file);
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-line', { hasText: 'Keep this first line.' }).waitFor({ state: 'visible', timeout: 30_000 });

    // Select the middle line.
    await editor.locator('.view-line', { hasText: 'the dog run fast' }).click();
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    // Monaco redraws its selection layer on every render: under load the node found visible can be replaced
    // before its box is read (boundingBox() is then null), so read it again until a box comes back.
    const selection = editor.locator('.selected-text').first();
    let box: { x: number; y: number; width: number; height: number } | null = null;
    for (const deadline = Date.now() + 30_000; !box && Date.now() < deadline; ) {
      await selection.waitFor({ state: 'visible' });
      box = await selection.boundingBox();
    }
    assert.ok(box, 'the selected text has a box on screen');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { button: 'right' });

    await page.getByRole('menuitem', { name: 'Hearth' }).first().hover();
    // VS Code's menus act on the focused item; hovering focuses it, Enter runs it.
    const rewrite = page.getByRole('menuitem', { name: 'Rewrite Selection' }).first();
    await rewrite.waitFor({ state: 'visible' });
    await rewrite.hover();
    await page.keyboard.press('Enter');
    await wb.screenshot('actions-rewrite-menu-clicked');

    await page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 60_000 });
    // A notification says when the proposal is complete; then Accept in the diff's title bar.
    await page.locator('.notification-toast', { hasText: 'proposal is ready' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await wb.screenshot('actions-rewrite-diff');
    await page.locator('.editor-actions a.action-label[aria-label^="Accept Proposal"]').first().click();
    await page.locator('.monaco-diff-editor').first().waitFor({ state: 'hidden', timeout: 30_000 });

    await editor.click();
    await page.keyboard.press('Control+S');
    const deadline = Date.now() + 15_000;
    let saved = fs.readFileSync(file, 'utf8');
    while (saved === original && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      saved = fs.readFileSync(file, 'utf8');
    }
    await wb.screenshot('actions-rewrite-accepted');
    assert.notEqual(saved, original, 'the file changed');
    assert.ok(saved.startsWith('Keep this first line.\n'), JSON.stringify(saved));
    assert.ok(saved.endsWith('\nKeep this last line.\n'), JSON.stringify(saved));
    assert.ok(!saved.includes('the dog run fast to the park and it were happy.'), 'the selected line was replaced');
  });
});
