// The chat panel driven like a person would, in a real workbench in Chromium: open the Hearth view, ask,
// watch the answer stream, stop one, start a new chat, reload the window and find the conversation again in
// the history. Screenshots in a light and a dark theme go to .test-run/screenshots/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { FrameLocator, Page } from 'playwright-core';
import { chatFrame, HEARTH_STATUS_ITEM, openChat, runCommand, startWorkbench, type Workbench } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Switches between the preferred light and dark themes until the webview reports the wanted kind. */
async function setThemeKind(page: Page, frame: FrameLocator, kind: 'light' | 'dark'): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await frame.locator(`body.vscode-${kind}`).count()) > 0) return;
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    await frame.locator(`body.vscode-${kind}`).waitFor({ timeout: 5_000 }).catch(() => undefined);
  }
  assert.ok((await frame.locator(`body.vscode-${kind}`).count()) > 0, `could not switch to a ${kind} theme`);
}

describe('e2e: chat panel', function () {
  this.timeout(300_000);
  let wb: Workbench;
  let question = '';

  before(async () => {
    wb = await startWorkbench();
  });

  it('opens the view with the empty state and the input focused', async () => {
    const frame = await openChat(wb.page);
    await frame.locator('.empty').waitFor({ state: 'visible', timeout: 30_000 }).catch(() => undefined);
    // Either a fresh workspace (empty state) or one with an earlier conversation; both show the composer.
    await frame.locator('button[data-action="send"]').waitFor({ state: 'visible' });
    const focused = await frame.locator('#input').evaluate((el) => el === document.activeElement);
    assert.ok(focused, 'the input does not have focus when the view opens');
    assert.equal(await frame.locator('#input').getAttribute('aria-label').then((l) => /Ask Hearth/.test(l ?? '')), true);
  });

  it('streams an answer to a typed question', async () => {
    const frame = chatFrame(wb.page);
    // The tiny model can finish a short answer inside one 33 ms stream tick on a fast machine (the question varies,
    // so the answer's length does too): a few questions, and at least one answer must arrive in several lengths.
    const tries: string[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      await frame.locator('button[data-action="newChat"]').click();
      question = `Tell me about a dragon ${Date.now().toString(36)}`;
      const seen = await askAndRecordLengths(frame, question);
      tries.push(seen.join(','));
      if (new Set(seen).size >= 2) break;
    }
    console.log(`      answer lengths in the DOM, per question: ${tries.map((t) => `[${t.length > 80 ? `${t.slice(0, 80)}…` : t}]`).join(' ')}`);
    const seen = tries.at(-1)!.split(',').filter(Boolean).map(Number);
    assert.ok(new Set(seen).size >= 2, `no answer streamed: each appeared at once (lengths in the DOM per question: ${tries.join(' | ')})`);
    await frame.locator('.message.assistant button[data-action="regenerate"]').waitFor();
    await frame.locator('.message.assistant button[data-action="copyMessage"]').waitFor();
    // The screen-reader announcement of the finished answer (a polite live region).
    await frame.locator('[role="status"][aria-live="polite"]', { hasText: /^Hearth answered: ./ }).waitFor({ state: 'attached', timeout: 5_000 });
  });

  it('stops an answer with Escape', async () => {
    const frame = chatFrame(wb.page);
    let stopped = false;
    for (let attempt = 0; attempt < 4 && !stopped; attempt++) {
      await frame.locator('#input').fill('Once upon a time, tell me a very long story with many parts.');
      await frame.locator('#input').press('Enter');
      await frame.locator('button[data-action="stop"]').waitFor({ state: 'visible', timeout: 30_000 });
      await frame.locator('#input').press('Escape');
      await frame.locator('body.busy').waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
      await frame.locator('body:not(.busy)').waitFor({ timeout: 5_000 });
      stopped = (await frame.locator('.message.assistant.stopped').count()) > 0;
    }
    assert.ok(stopped, 'no answer ended as stopped');
    await frame.locator('.message.assistant.stopped .note', { hasText: 'Stopped.' }).first().waitFor();
  });

  it('takes screenshots in a dark and a light theme', async () => {
    const frame = chatFrame(wb.page);
    await setThemeKind(wb.page, frame, 'dark');
    await sleep(300);
    const dark = await wb.screenshot('chat-dark');
    await setThemeKind(wb.page, frame, 'light');
    await sleep(300);
    const light = await wb.screenshot('chat-light');
    for (const f of [dark, light]) assert.ok(fs.statSync(f).size > 5000, `${f} looks empty`);
    await setThemeKind(wb.page, frame, 'dark');
  });

  it('starts a new chat, and after a window reload finds the conversation in the history', async () => {
    let frame = chatFrame(wb.page);
    await frame.locator('button[data-action="newChat"]').click();
    await frame.locator('.empty').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await frame.locator('.message').count(), 0);

    await wb.page.reload({ waitUntil: 'domcontentloaded' });
    await wb.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await wb.page.locator(HEARTH_STATUS_ITEM).first().waitFor({ state: 'visible', timeout: 60_000 });
    frame = await openChat(wb.page);
    await frame.locator('button[data-action="toggleHistory"]').click();
    const entry = frame.locator('.history-open', { hasText: question.slice(0, 40) });
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.click();
    await frame.locator('.message.user .body', { hasText: question }).waitFor({ timeout: 10_000 });
    assert.ok((await frame.locator('.message.assistant').count()) >= 1);
    await wb.screenshot('chat-after-reload');
  });
});

/**
 * Sends `question` and returns every length the answer's text takes in the DOM, recorded in the webview itself:
 * sampling it from Playwright missed the whole stream when a CPU hog slowed each round trip more than the tiny
 * model's answer.
 */
async function askAndRecordLengths(frame: FrameLocator, question: string): Promise<number[]> {
  await frame.locator('#input').fill(question);
  await frame.locator('body').evaluate(() => {
    const seen: number[] = [];
    const w = window as unknown as { __answerLengths: number[]; __answerObserver?: MutationObserver };
    w.__answerObserver?.disconnect();
    w.__answerLengths = seen;
    w.__answerObserver = new MutationObserver(() => {
      const body = [...document.querySelectorAll('.message.assistant .body')].at(-1);
      const n = (body?.textContent ?? '').replace('Thinking…', '').length;
      if (n > 0 && seen.at(-1) !== n) seen.push(n);
    });
    w.__answerObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await frame.locator('#input').press('Enter');
  await frame.locator('.message.user .body', { hasText: question }).waitFor({ timeout: 10_000 });
  const until = Date.now() + 90_000;
  for (;;) {
    const text = (await frame.locator('.message.assistant .body').last().textContent().catch(() => '')) ?? '';
    const busy = await frame.locator('body.busy').count();
    if (busy === 0 && text.replace('Thinking…', '').length > 0) break;
    if (Date.now() > until) throw new Error('the answer did not finish');
    await sleep(15);
  }
  return frame.locator('body').evaluate(() => (window as unknown as { __answerLengths: number[] }).__answerLengths);
}
