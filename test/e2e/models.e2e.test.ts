/**
 * A person choosing a model: the command palette's "Hearth: Choose Model…" lists models with fit and on-disk marks,
 * and choosing a catalog model downloads it (from a local server standing in for the hub) with a progress
 * notification, then uses it.
 */
import * as assert from 'node:assert/strict';
import { freshWorkbench, pickRow, recordFailure, runCommand, runTestTheModel, startWorkbench, stop, type Workbench } from './harness';
import { startTestHub, type TestHub } from './testHub';

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

/** Bytes the server sends before it waits (about half the fixture). */
const HOLD_AT = 600_000;

describe('e2e: a catalog model downloaded through Choose Model…', function () {
  this.timeout(240_000);
  let hub: TestHub | undefined;
  let wb: Workbench;
  before(async () => {
    // Half the file, then the server waits: the progress notification stays up until the test has read it.
    hub = await startTestHub({ entry: { jobs: ['assistant'] }, holdAtBytes: HOLD_AT });
    // A fresh profile (nothing downloaded yet) whose catalog is the served fixture; hearth.modelPath stays the
    // plain stories260K.gguf, so the model in use afterwards is told apart by its name.
    wb = await freshWorkbench({ settings: hub.settings });
    await hub.use(wb);
  });
  afterEach(function () {
    return recordFailure(wb, this.currentTest, 'models-download');
  });
  after(async () => {
    await stop();
    await hub?.close();
  });

  it('shows size and percent while it downloads, then the downloaded model answers Test the Model', async () => {
    const { page } = wb;
    const server = hub!;
    await page.keyboard.press('Escape');
    await runCommand(page, 'Hearth: Choose Model…');
    await pickRow(page, 'Assistant model');
    const row = await pickRow(page, server.entry.name);
    assert.match(row, /download/, `the catalog model is not marked for download: ${row}`);

    const toast = page.locator('.notification-toast', { hasText: `downloading ${server.entry.name}` });
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    // While the server holds the rest, the line settles on the bytes that did arrive: "585.9 KB of 1.1 MB (50 %) at …".
    const held = `${(HOLD_AT / 1024).toFixed(1)} KB of 1.1 MB (${Math.floor((HOLD_AT / server.entry.sizeBytes) * 100)} %)`;
    const message = toast.locator('.notification-list-item-message', { hasText: held });
    await message.waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
      assert.fail(`the progress notification never said "${held}": ${await toast.innerText().catch(() => '(gone)')}`);
    });
    assert.match(await message.innerText(), / at [\d.]+ [KMG]?B\/s/);
    assert.ok((await toast.locator('.monaco-button', { hasText: 'Cancel' }).count()) > 0, 'no Cancel on the progress notification');
    assert.equal(server.downloads(), 1);
    await wb.screenshot('models-download-progress');

    server.release();
    await toast.waitFor({ state: 'detached', timeout: 60_000 });
    const works = await runTestTheModel(wb);
    assert.match(works, new RegExp(`Hearth works: ${server.entry.file.replace(/\./g, '\\.')} wrote \\d+ tokens`));
  });
});
