// Hostile answers through the REAL chat webview. Two ways in, the same generated payloads each way:
// - as saved answers reopened from the history: the host's Markdown renderer and sanitizer, then the webview's own
//   filter (seeded through the hooks extension's palette command, test/e2e/hooks-extension);
// - as raw HTML straight into the webview's message handler, as if the host's sanitizer had let everything through:
//   the webview's filter alone.
// After each batch: no element or attribute outside the one allowlist (src/chat/allowlist.ts, which both filters
// use) is in the answers' DOM, no link goes anywhere but http(s)/mailto, no script ran (a `__pwned` probe in every
// frame, and no dialog), and nothing was requested from a payload's URL. HEARTH_FUZZ_SEED reproduces a run.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { ALLOWED_MARKUP, FILTER_ADDED_ATTRIBUTES } from '../../src/chat/allowlist';
import { hostilePayloads } from '../support/hostilePayloads';
import { chatFrame, openChat, runCommand, startWorkbench, type Workbench } from './harness';

const SEED = Number(process.env.HEARTH_FUZZ_SEED ?? 20241201);
const COUNT = 1000;
const BATCH = 200;

interface Finding {
  index: number;
  problem: string;
}

/**
 * Runs in the webview: every element in the answers (all of them, or the one with id `only`) must be allowlisted
 * markup or the renderer's own code toolbar. Findings carry the answer's position, so each names its payload.
 */
function auditAnswers(_body: unknown, args: { markup: Record<string, string[]>; added: Record<string, string[]>; only?: string }): { findings: Array<[number, string]>; pwned: unknown } {
  const findings: Array<[number, string]> = [];
  const isToolbarWrap = (el: Element) =>
    el.tagName === 'DIV' && el.classList.contains('code-wrap') && el.children.length === 2 && el.children[0].classList.contains('code-toolbar') && el.children[1].tagName === 'PRE';
  const bodies = Array.from(document.querySelectorAll(args.only ? `article[data-id="${args.only}"] .body` : '.message.assistant .body'));
  bodies.forEach((body, at) => {
    for (const el of Array.from(body.querySelectorAll('*'))) {
      if (isToolbarWrap(el)) continue;
      const toolbar = el.closest('.code-toolbar');
      if (toolbar && toolbar.parentElement && isToolbarWrap(toolbar.parentElement) && body.contains(toolbar)) continue;
      const tag = el.tagName.toLowerCase();
      const allowed = args.markup[tag];
      if (!allowed || el.namespaceURI !== 'http://www.w3.org/1999/xhtml') {
        findings.push([at, `element <${tag}> (${el.namespaceURI})`]);
        continue;
      }
      for (const attr of Array.from(el.attributes)) {
        if (!allowed.includes(attr.name) && !(args.added[tag] ?? []).includes(attr.name)) findings.push([at, `<${tag} ${attr.name}="${attr.value.slice(0, 80)}">`]);
      }
      const href = el.getAttribute('href');
      if (href !== null && !/^(https?:\/\/|mailto:)/i.test(href)) findings.push([at, `<${tag} href="${href.slice(0, 80)}">`]);
    }
  });
  const w = window as unknown as { __pwned?: unknown };
  let pwned: unknown = w.__pwned;
  try {
    pwned ??= (window.parent as unknown as { __pwned?: unknown }).__pwned ?? (window.top as unknown as { __pwned?: unknown }).__pwned;
  } catch {
    // another origin: probed from Playwright instead
  }
  return { findings, pwned };
}

describe('e2e: hostile answers in the chat webview (fuzz)', function () {
  this.timeout(900_000);
  let wb: Workbench;
  let frame: FrameLocator;
  const payloads = hostilePayloads(SEED, COUNT);
  const dialogs: string[] = [];
  const requests: string[] = [];
  const seedFile = () => path.join(wb.workspaceDir, '.hearth-seed.json');

  before(async () => {
    wb = await startWorkbench();
    wb.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss().catch(() => undefined);
    });
    wb.context.on('request', (r) => {
      if (/pwned|ok\.example/.test(r.url())) requests.push(r.url());
    });
    frame = await openChat(wb.page);
  });

  after(() => {
    if (wb) fs.rmSync(seedFile(), { force: true });
  });

  /** Every frame of the page: the webview's, VS Code's and the workbench's own `__pwned`. */
  async function pwnedAnywhere(): Promise<string[]> {
    const hits: string[] = [];
    for (const f of wb.page.frames()) {
      const value = await f.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned).catch(() => undefined);
      if (value !== undefined) hits.push(f.url().slice(0, 120));
    }
    return hits;
  }

  function report(findings: Finding[]): string {
    return findings.slice(0, 20).map((f) => `#${f.index} ${f.problem}\n    payload: ${JSON.stringify(payloads[f.index].slice(0, 300))}`).join('\n') + `\n(seed ${SEED}; HEARTH_FUZZ_SEED=${SEED} reproduces)`;
  }

  it(`${COUNT} payloads as saved answers: host renderer + sanitizer + webview filter`, async () => {
    const findings: Finding[] = [];
    for (let start = 0; start < COUNT; start += BATCH) {
      const batch = payloads.slice(start, start + BATCH);
      const marker = `fuzz batch ${start}`;
      fs.writeFileSync(seedFile(), JSON.stringify({ exchanges: batch.map((answer, i) => ({ question: i === batch.length - 1 ? marker : `payload ${start + i}`, answer })) }));
      await runCommand(wb.page, 'Hearth Test Hooks: Seed Chat');
      await frame.locator('.message.user .body', { hasText: marker }).waitFor({ timeout: 120_000 });
      await frame.locator('.message.assistant').nth(batch.length - 1).waitFor({ state: 'attached', timeout: 60_000 });
      const answers = await frame.locator('.message.assistant').count();
      assert.equal(answers, batch.length, `batch ${start}: ${answers} answers shown`);
      const result = await frame.locator('body').evaluate(auditAnswers, { markup: ALLOWED_MARKUP as Record<string, string[]>, added: FILTER_ADDED_ATTRIBUTES as Record<string, string[]> });
      for (const [at, problem] of result.findings) findings.push({ index: start + at, problem });
      if (result.pwned !== undefined) findings.push({ index: start, problem: `__pwned = ${String(result.pwned)} after batch ${start}` });
    }
    const pwned = await pwnedAnywhere();
    console.log(`      ${COUNT} payloads (seed ${SEED}) through the host: ${findings.length} findings, ${dialogs.length} dialogs, ${requests.length} requests, __pwned in ${pwned.length} frames`);
    assert.deepEqual(findings, [], report(findings));
    assert.deepEqual(pwned, [], `script ran in: ${pwned.join(', ')}`);
    assert.deepEqual(dialogs, [], `dialogs opened: ${dialogs.join(' | ')}`);
    assert.deepEqual(requests.filter((u) => /pwned/.test(u)), [], 'a payload URL was requested');
  });

  it(`${COUNT} payloads as raw HTML into the webview's message handler: the webview filter alone`, async () => {
    const webview = chatFrame(wb.page);
    const target = await webview.locator('.message.assistant').last().getAttribute('data-id');
    assert.ok(target, 'no answer on screen to stream into');
    const findings: Finding[] = [];
    for (let start = 0; start < COUNT; start += BATCH) {
      const batch = payloads.slice(start, start + BATCH);
      const results = await webview.locator('body').evaluate(
        (_body, args: { batch: string[]; target: string; markup: Record<string, string[]>; added: Record<string, string[]>; audit: string }) => {
          // The auditor is passed as source: a function cannot cross into the page otherwise.
          const audit = new Function(`return (${args.audit})`)() as typeof auditAnswers;
          return args.batch.map((html) => {
            // Exactly what the host's 'stream' message does, with HTML no sanitizer has seen.
            window.dispatchEvent(new MessageEvent('message', { data: { type: 'stream', messageId: args.target, html } }));
            return audit(null, { markup: args.markup, added: args.added, only: args.target });
          });
        },
        { batch, target, markup: ALLOWED_MARKUP as Record<string, string[]>, added: FILTER_ADDED_ATTRIBUTES as Record<string, string[]>, audit: auditAnswers.toString() },
      );
      results.forEach((r, i) => {
        for (const [, problem] of r.findings) findings.push({ index: start + i, problem });
        if (r.pwned !== undefined) findings.push({ index: start + i, problem: `__pwned = ${String(r.pwned)}` });
      });
    }
    const pwned = await pwnedAnywhere();
    console.log(`      ${COUNT} payloads (seed ${SEED}) straight into the webview: ${findings.length} findings, ${dialogs.length} dialogs, ${requests.length} requests, __pwned in ${pwned.length} frames`);
    assert.deepEqual(findings, [], report(findings));
    assert.deepEqual(pwned, [], `script ran in: ${pwned.join(', ')}`);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(requests.filter((u) => /pwned/.test(u)), [], 'a payload URL was requested');
    // Still a working chat: the composer is there and answers render.
    await webview.locator('#input').waitFor({ state: 'visible' });
  });
});
