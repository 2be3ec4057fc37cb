/**
 * A new user's first run, scripted end to end in the workbench: a profile with no model; typing asks for a
 * completion, which needs a model, and Hearth shows ONE notification however many requests follow; its
 * "Choose Model…" leads to a catalog model downloaded from a local server standing in for the hub; then a
 * completion appears, the same model is chosen for the assistant (already on disk: no second download), and the
 * chat answers.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENGINE_STATUS_ITEM, freshWorkbench, hearthLog, openFile, pickRow, recordFailure, runCommand, stop, type Workbench } from './harness';
import { startTestHub, type TestHub } from './testHub';

const NO_MODEL = 'No model is chosen yet';
const GHOST = '.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text';

/** Requests the engine refused for want of a model, as the Hearth log records each one (shown or not). */
function refusals(wb: Workbench): number {
  return hearthLog(wb).split('\n').filter((line) => line.includes(NO_MODEL)).length;
}

async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('e2e: first run with no model', function () {
  this.timeout(300_000);
  let hub: TestHub | undefined;
  let wb: Workbench | undefined;
  before(async () => {
    hub = await startTestHub();
    // No model setting and no model folders: nothing to use until the user chooses.
    wb = await freshWorkbench({ noModel: true, settings: { ...hub.settings, 'hearth.models.folders': [] } });
    await hub.use(wb);
  });
  afterEach(function () {
    return recordFailure(wb, this.currentTest, 'first-run');
  });
  after(async () => {
    await stop();
    await hub?.close();
  });

  it('one notification for the missing model; Choose Model… downloads one; a completion appears and the chat answers', async () => {
    const page = wb!.page;
    const server = hub!;
    await page.locator(ENGINE_STATUS_ITEM, { hasText: 'no model' }).waitFor({ state: 'visible', timeout: 30_000 });

    // Every notification toast about the missing model, counted as the workbench adds it: a repeat, even one VS
    // Code folds into the same message, is a new toast element.
    await page.evaluate((text) => {
      const w = window as unknown as { hearthNoModelToasts: number };
      w.hearthNoModelToasts = 0;
      const seen = new WeakSet<Element>();
      const count = () => {
        for (const toast of document.querySelectorAll('.notification-toast')) {
          if (!seen.has(toast) && toast.textContent?.includes(text)) {
            seen.add(toast);
            w.hearthNoModelToasts++;
          }
        }
      };
      new MutationObserver(count).observe(document.body, { childList: true, subtree: true, characterData: true });
    }, NO_MODEL);
    const toastsShown = () => page.evaluate(() => (window as unknown as { hearthNoModelToasts: number }).hearthNoModelToasts);

    const file = path.join(wb!.workspaceDir, 'first-run.txt');
    fs.writeFileSync(file, '');
    await openFile(wb!, file);
    const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    await editor.click();
    await page.keyboard.type('Once upon a time', { delay: 40 });
    const toast = page.locator('.notification-toast', { hasText: NO_MODEL });
    await toast.waitFor({ state: 'visible', timeout: 60_000 });

    // More requests that need a model: typing and explicit asks (Alt+\), until the log shows three refusals.
    await waitUntil('three requests refused for want of a model', async () => {
      if (refusals(wb!) >= 3) return true;
      await page.keyboard.type(' there', { delay: 40 });
      await page.keyboard.press('Alt+Backslash');
      return false;
    }, 90_000);
    assert.equal(await toastsShown(), 1, `${refusals(wb!)} refused requests showed ${await toastsShown()} notifications`);
    assert.equal(await page.locator('.notification-toast').count(), 1, 'another notification is showing');
    const buttons = await toast.locator('.monaco-button').allInnerTexts();
    assert.deepEqual(buttons.map((b) => b.trim()), ['Choose Model…', 'Get Started']);
    await wb!.screenshot('first-run-notification');

    await toast.locator('.monaco-button', { hasText: 'Choose Model…' }).click();
    await pickRow(page, 'Completion model');
    const row = await pickRow(page, server.entry.name);
    assert.match(row, /download/);
    // The download ends with the model set: the status bar names it.
    await page.locator(`${ENGINE_STATUS_ITEM}[aria-label*="${server.entry.file}"]`).waitFor({ state: 'attached', timeout: 120_000 });
    assert.equal(server.downloads(), 1);

    await editor.click();
    await page.keyboard.press('Control+End');
    let ghost = '';
    await waitUntil('ghost text', async () => {
      await page.keyboard.type(' Lily', { delay: 40 });
      await page.keyboard.press('Alt+Backslash');
      ghost = await page.locator(GHOST).first().waitFor({ state: 'visible', timeout: 8_000 }).then(
        async () => (await page.locator(GHOST).allInnerTexts()).join(''),
        () => '',
      );
      return ghost.trim().length > 0;
    }, 120_000);
    await wb!.screenshot('first-run-completion');

    await page.keyboard.press('Escape');
    await runCommand(page, 'Hearth: Choose Model…');
    await pickRow(page, 'Assistant model');
    assert.match(await pickRow(page, server.entry.name), /on disk/);
    await page.locator(`${ENGINE_STATUS_ITEM}[aria-label*="${server.entry.file}"]`).waitFor({ state: 'attached', timeout: 30_000 });
    await runCommand(page, 'Hearth: Focus on Chat View');
    const chat = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await chat.locator('#input').waitFor({ state: 'visible', timeout: 60_000 });
    await chat.locator('#input').fill('Tell me a story about a cat.');
    await chat.locator('#input').press('Enter');
    const answer = chat.locator('.message.assistant').last();
    await answer.waitFor({ state: 'visible', timeout: 30_000 });
    await chat.locator('body:not(.busy)').waitFor({ timeout: 120_000 });
    assert.equal(await chat.locator('.message.assistant.error').count(), 0, await answer.innerText());
    assert.ok((await answer.locator('.body').innerText()).trim().length > 0, 'the chat answered nothing');
    await wb!.screenshot('first-run-chat');

    assert.equal(server.downloads(), 1, 'the model was downloaded again for the assistant');
    assert.equal(await toastsShown(), 1, 'the missing model was announced more than once');
  });
});
