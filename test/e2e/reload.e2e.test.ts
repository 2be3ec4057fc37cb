// A window reload in the middle of a chat answer, in the real workbench: the old window's worker must not be left
// behind (the extension host stops it on deactivate, and a worker whose host is gone exits by itself), and the
// chat panel of the reloaded window must answer again. Processes are read with `ps`, under code-server's own.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HEARTH_STATUS_ITEM, openChat, startWorkbench, type Workbench } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pids of Hearth workers (a Node process running dist/worker.js) that descend from `root`. */
function workersUnder(root: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const below = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) {
      if (!below.has(row.pid) && below.has(row.ppid)) {
        below.add(row.pid);
        grew = true;
      }
    }
  }
  return rows.filter((r) => below.has(r.pid) && /dist[/\\]worker\.js/.test(r.args)).map((r) => r.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sets user settings by editing the settings files, as a person editing settings.json would (undefined removes one). */
function setSettings(wb: Workbench, values: Record<string, unknown>): void {
  // code-server is a remote window: Hearth's settings are read from the machine file too.
  const files = [wb.userSettingsFile, path.join(path.dirname(path.dirname(wb.userSettingsFile)), 'Machine', 'settings.json')];
  for (const file of files) {
    const current = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete current[key];
      else current[key] = value;
    }
    fs.writeFileSync(file, JSON.stringify(current, null, 2));
  }
}

describe('e2e: window reload in the middle of an answer', function () {
  this.timeout(300_000);
  let wb: Workbench;

  before(async () => {
    wb = await startWorkbench();
    // A long answer, so that the reload lands while it streams.
    setSettings(wb, { 'hearth.chat.maxTokens': 4000 });
  });

  after(() => {
    if (wb) setSettings(wb, { 'hearth.chat.maxTokens': undefined });
  });

  it('leaves no worker of the old window behind, and the chat panel of the new window answers', async () => {
    const { page } = wb;
    let frame = await openChat(page);
    let old: number[] = [];
    let reloadedMidAnswer = false;
    for (let attempt = 1; attempt <= 4 && !reloadedMidAnswer; attempt++) {
      await frame.locator('button[data-action="newChat"]').click();
      await frame.locator('#input').fill(`Tell me the longest story you know, part ${attempt}.`);
      await frame.locator('#input').press('Enter');
      await frame.locator('.message.assistant .body', { hasText: /\S/ }).last().waitFor({ timeout: 60_000 });
      old = workersUnder(wb.codeServerPid);
      // The palette first, then a last look that the answer still streams, then the reload.
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await input.fill('>Developer: Reload Window');
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Reload Window' }).first().waitFor({ timeout: 30_000 });
      if ((await frame.locator('body.busy').count()) === 0 || old.length === 0) {
        await page.keyboard.press('Escape');
        continue;
      }
      await input.press('Enter');
      reloadedMidAnswer = true;
    }
    assert.ok(reloadedMidAnswer, 'every answer ended before the reload could be sent');
    assert.ok(old.length >= 1, 'no worker was running during the answer');

    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator(HEARTH_STATUS_ITEM).first().waitFor({ state: 'visible', timeout: 60_000 });
    const until = Date.now() + 30_000;
    while (old.some(alive) && Date.now() < until) await sleep(100);
    assert.deepEqual(old.filter(alive), [], `worker(s) of the old window still running: ${old.filter(alive).join(', ')}`);

    setSettings(wb, { 'hearth.chat.maxTokens': undefined });
    frame = await openChat(page);
    await frame.locator('button[data-action="newChat"]').click();
    await frame.locator('#input').fill('And a short one?');
    await frame.locator('#input').press('Enter');
    await frame.locator('.message.user .body', { hasText: 'And a short one?' }).waitFor({ timeout: 30_000 });
    await frame.locator('.message.assistant.done .body', { hasText: /\S/ }).last().waitFor({ timeout: 120_000 });
    const answers = workersUnder(wb.codeServerPid);
    assert.ok(answers.length >= 1, 'no worker answered in the new window');
    assert.deepEqual(answers.filter((p) => old.includes(p)), []);
    await wb.screenshot('chat-after-reload-mid-answer');
  });
});
