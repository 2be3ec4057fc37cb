/**
 * The "Get started with Hearth" walkthrough, followed by clicking its own buttons: each step's checkmark in the
 * Getting Started editor turns on from the step's completion event (a setting changed, a command run, a view
 * opened). VS Code gives extensions no API to read step state, and a command an extension runs itself never
 * reaches the workbench's command events, so the steps can only be seen done here, in the workbench's DOM.
 */
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { freshWorkbench, pickRow, recordFailure, runCommand, stop, waitInWebviews, type Workbench } from './harness';

const WALKTHROUGH = 'hearth-dev.hearth#hearth.welcome';
const STEPS = ['completionModel', 'assistantModel', 'tryCompletion', 'tryChat'] as const;
type Step = (typeof STEPS)[number];

/** The step's checkbox: `aria-checked` and the `complete` class follow VS Code's stored progress. */
function checkbox(page: Page, step: Step): Locator {
  return page.locator(`.getting-started-step [data-done-step-id="${WALKTHROUGH}#${step}"]`);
}

async function isDone(page: Page, step: Step): Promise<boolean> {
  return (await checkbox(page, step).getAttribute('aria-checked')) === 'true';
}

async function waitDone(page: Page, step: Step): Promise<void> {
  await page.locator(`.getting-started-step [data-done-step-id="${WALKTHROUGH}#${step}"].complete[aria-checked="true"]`).waitFor({ state: 'visible', timeout: 30_000 });
}

async function openWalkthrough(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await runCommand(page, 'Welcome: Open Walkthrough...');
  await page.locator('.quick-input-widget input').fill('Get started with Hearth');
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Get started with Hearth' }).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await checkbox(page, 'completionModel').waitFor({ state: 'visible', timeout: 30_000 });
}

/** Each step's media (media/walkthrough/*.md), whose heading shows once the step is selected. */
const MEDIA_HEADING: Record<Step, string> = {
  completionModel: 'A model for completions',
  assistantModel: 'A model for the assistant',
  tryCompletion: 'Try a completion',
  tryChat: 'Try the chat',
};

/**
 * Expands the step and clicks the button its description renders from a command link. It waits for the step's
 * media (a webview that loads when the step is selected) first: on a loaded machine, a picker the button opened
 * while that media was still loading was seen to close again by itself.
 */
async function clickStepButton(page: Page, step: Step, label: string): Promise<void> {
  const container = page.locator(`.getting-started-step[data-step-id="${WALKTHROUGH}#${step}"]`);
  if ((await container.getAttribute('aria-expanded')) !== 'true') await container.locator('.step-title').click();
  await waitInWebviews(page, 'h2', MEDIA_HEADING[step], 30_000);
  const button = container.locator('.button-container .monaco-button', { hasText: label });
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  await button.click();
}

describe('e2e: the Get started walkthrough', function () {
  this.timeout(240_000);
  let wb: Workbench;
  before(async () => {
    // A profile of its own: the shared workbench's other tests open the chat view, which completes a step.
    // The fixture models are on disk (hearth.models.folders), so both model steps have something to choose.
    wb = await freshWorkbench({});
  });
  afterEach(function () {
    return recordFailure(wb, this.currentTest, 'walkthrough');
  });
  after(() => stop());

  it('each step is checked once its action is done: both models chosen, a completion tried, the chat opened', async () => {
    const { page } = wb;
    await openWalkthrough(page);
    for (const step of STEPS) assert.equal(await isDone(page, step), false, `${step} is checked before anything was done`);

    await clickStepButton(page, 'completionModel', 'Choose Completion Model');
    await pickRow(page, 'stories260K-fim-chat.gguf');
    await waitDone(page, 'completionModel');

    await clickStepButton(page, 'assistantModel', 'Choose Assistant Model');
    // The picker is open, so its command has run; this step waits for the setting itself.
    await page.locator('.quick-input-widget', { hasText: 'the model for the assistant' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await isDone(page, 'assistantModel'), false, 'the assistant step is checked before a model was chosen');
    const row = await pickRow(page, 'stories260K-fim-chat.gguf');
    assert.match(row, /on disk/);
    await waitDone(page, 'assistantModel');

    await clickStepButton(page, 'tryCompletion', 'Try a Completion');
    // The step's command opens a small Python file with the cursor where a completion belongs.
    await page.locator('.editor-group-container.active .monaco-editor .view-lines', { hasText: 'def fibonacci(n):' }).waitFor({ state: 'visible', timeout: 30_000 });
    await openWalkthrough(page);
    await waitDone(page, 'tryCompletion');
    assert.equal(await isDone(page, 'tryChat'), false, 'the chat step is checked before the chat was opened');

    await clickStepButton(page, 'tryChat', 'Open Chat');
    await waitInWebviews(page, '#input[aria-label*="Ask Hearth"]', '');
    await waitDone(page, 'tryChat');
    for (const step of STEPS) assert.equal(await isDone(page, step), true, `${step} is not checked at the end`);
    await wb.screenshot('walkthrough-steps-done');
  });
});
