// UI (end-to-end) test harness: a real VS Code workbench (code-server) in headless Chromium, driven
// from OUTSIDE by Playwright. Hearth is installed by linking the repo into the extensions dir (no
// smoke-test driver, so notification toasts behave as for a person).
//
//   import { startWorkbench, stop } from './harness';
//   let wb: Workbench;
//   before(async () => { wb = await startWorkbench(); });   // shared by every e2e file
//   after(() => stop());                                      // optional: the driver stops it too
//
// Run via: node test/driver/run-code-server.mjs --suite e2e   (npm run test:e2e)
// Each e2e file is bundled separately by esbuild, so the running workbench is kept on globalThis:
// all files (and the driver) share one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { modelsDir, repoRoot } from '../support/paths';

export interface WorkbenchOptions {
  /** hearth.modelPath (default: HEARTH_TEST_MODEL or ../shared/models/stories260K.gguf). */
  modelPath?: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Folder to open (default: a fresh copy of test/fixtures/workspace, or an empty folder). */
  folder?: string;
  /** How long to wait for Hearth's status bar item (ms). */
  activationTimeoutMs?: number;
  /** No model setting at all (hearth.modelPath unset): a first run. */
  noModel?: boolean;
}

export interface Workbench {
  page: Page;
  context: BrowserContext;
  baseUrl: string;
  workspaceDir: string;
  /** code-server's --user-data-dir: its logs/ hold the extension host's output channels as files. */
  userDataDir: string;
  screenshotDir: string;
  /** code-server's process: the extension host and Hearth's workers run under it (fault tests list them). */
  codeServerPid: number;
  /** The user settings file (tests that need another setting write it; the workbench picks the change up). */
  userSettingsFile: string;
  /** Saves <screenshotDir>/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
}

interface CodeServer {
  port: number;
  baseUrl: string;
  workspaceDir: string;
  dirs: Record<string, string>;
  proc: { pid?: number };
  stop(): Promise<void>;
}
interface WorkbenchLauncher {
  startCodeServer(opts: Record<string, unknown>): Promise<CodeServer>;
  launchBrowser(cs: CodeServer): Promise<{ context: BrowserContext; page: Page }>;
  workbenchUrl(cs: CodeServer, o?: Record<string, string>): string;
}

/** Selector of Hearth's status bar item (VS Code gives it the id "<extension id>.<item id>"). */
export const HEARTH_STATUS_ITEM = '.statusbar-item[id^="hearth-dev.hearth"]';
/** The engine's own item (model state), as opposed to the completions item beside it. */
export const ENGINE_STATUS_ITEM = '.statusbar-item[id="hearth-dev.hearth.hearth.status"]';

const KEY = Symbol.for('hearth.e2e.workbench');
interface State {
  starting?: Promise<Workbench>;
  cleanups: Array<() => Promise<void>>;
}
function state(): State {
  const g = globalThis as unknown as Record<symbol, State>;
  return (g[KEY] ??= { cleanups: [] });
}

export function runDir(): string {
  return process.env.HEARTH_E2E_RUN_DIR ?? path.join(repoRoot, '.test-run', 'e2e');
}

/**
 * A workbench of its own for tests that need a fresh profile (no model, a test catalog, walkthrough progress
 * nobody has touched): stops the shared one and starts another with `opts`. Call stop() when done, so the next
 * file's startWorkbench() gets the default workbench again.
 */
export async function freshWorkbench(opts: WorkbenchOptions): Promise<Workbench> {
  await stop();
  return startWorkbench(opts);
}

/** Start (once) and return the shared workbench, after Hearth's status bar item is visible. */
export function startWorkbench(opts: WorkbenchOptions = {}): Promise<Workbench> {
  const s = state();
  s.starting ??= launch(opts, s).catch(async (e) => {
    s.starting = undefined;
    await stop();
    throw e;
  });
  return s.starting;
}

async function launch(opts: WorkbenchOptions, s: State): Promise<Workbench> {
  // Computed path: keeps esbuild from bundling it (it locates the repo from its own __dirname).
  const launcherPath = path.join(repoRoot, 'test', 'driver', 'workbench.cjs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wb = require(launcherPath) as WorkbenchLauncher;
  const dir = runDir();
  const screenshotDir = path.join(repoRoot, '.test-run', 'screenshots');
  fs.mkdirSync(screenshotDir, { recursive: true });

  const cs = await wb.startCodeServer({
    runDir: dir,
    folder: opts.folder,
    modelPath: opts.modelPath,
    // The fixture models folder, so Choose Model… has models on disk to show.
    settings: { 'hearth.models.folders': [modelsDir], ...opts.settings },
    noModelSetting: opts.noModel,
    linkExtension: true,
    // Palette commands that reach Hearth's test API (the webview fuzz test seeds answers through it).
    extraExtensions: [path.join(repoRoot, 'test', 'e2e', 'hooks-extension')],
    log: (l: string) => console.log(`      [harness] ${l}`),
  });
  s.cleanups.push(() => cs.stop());
  const { context, page } = await wb.launchBrowser(cs);
  s.cleanups.push(() => context.close());

  const consoleLog = fs.createWriteStream(path.join(dir, 'browser-console.log'));
  s.cleanups.push(() => new Promise<void>((r) => consoleLog.end(() => r())));
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e}\n`));

  await page.goto(wb.workbenchUrl(cs), { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  const screenshot = async (name: string) => {
    const file = path.join(screenshotDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await page.screenshot({ path: file });
    return file;
  };
  try {
    await page.locator(HEARTH_STATUS_ITEM).first().waitFor({ state: 'visible', timeout: opts.activationTimeoutMs ?? 60_000 });
  } catch (e) {
    await screenshot('harness-no-status-item').catch(() => undefined);
    throw new Error(`Hearth's status bar item did not appear (${HEARTH_STATUS_ITEM}); see .test-run/screenshots/harness-no-status-item.png and ${dir}: ${e}`);
  }
  const userSettingsFile = path.join(cs.dirs.userData, 'User', 'settings.json');
  return {
    page,
    context,
    baseUrl: cs.baseUrl,
    workspaceDir: cs.workspaceDir,
    userDataDir: cs.dirs.userData,
    screenshotDir,
    screenshot,
    codeServerPid: cs.proc.pid!,
    userSettingsFile,
  };
}

/**
 * Opens a workspace file through Quick Open, as a person would, and resolves once its tab is active. A file
 * written just before may not be in Quick Open's file index yet (and a busy machine shows earlier results for
 * a while), so this types the absolute path, which Quick Open resolves directly, and retries until the file is
 * the picked row: it waits for a condition, not for a guessed time.
 */
export async function openFile(wb: Workbench, file: string, timeoutMs = 120_000): Promise<void> {
  const { page } = wb;
  const name = path.basename(file);
  const until = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: Math.max(1_000, until - Date.now()) });
    await input.fill(file);
    const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name });
    const shown = await row.waitFor({ state: 'visible', timeout: Math.min(15_000, Math.max(1_000, until - Date.now())) }).then(() => true, () => false);
    if (shown) {
      await page.keyboard.press('Enter');
      const opened = await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: Math.max(1_000, until - Date.now()) }).then(() => true, () => false);
      if (opened) return;
    }
    if (Date.now() > until) {
      await wb.screenshot(`open-file-${name}`).catch(() => undefined);
      throw new Error(`Quick Open did not open ${name} after ${attempt} attempts`);
    }
  }
}

/** Runs a command from the command palette once its row is the focused one (a busy machine filters late). */
export async function runCommand(page: Page, label: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const title = label.split(': ').pop()!;
  const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).first();
  // Right after a (re)load under a CPU hog, F1 can land before the workbench listens for it, and the palette can
  // open before the extension's commands are registered: open it again, and look again, until the command shows.
  const until = Date.now() + 90_000;
  for (;;) {
    await page.keyboard.press('F1');
    if (await input.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) {
      await input.fill(`>${label}`);
      if (await row.waitFor({ timeout: 10_000 }).then(() => true, () => false)) break;
      await page.keyboard.press('Escape');
    }
    if (Date.now() > until) throw new Error(`the command palette did not offer "${label}" within 90 s`);
  }
  await input.press('Enter');
}

/** The chat webview: VS Code nests each webview's document two iframes deep. */
export function chatFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Opens Hearth's chat view (the activity bar item, or the command) and returns its frame once the input shows. */
export async function openChat(page: Page): Promise<FrameLocator> {
  const item = page.locator('.activitybar .action-item a[aria-label^="Hearth"]').first();
  if (await item.isVisible().catch(() => false)) {
    const expanded = await item.locator('..').getAttribute('aria-expanded').catch(() => null);
    if (expanded !== 'true') await item.click();
  } else {
    await runCommand(page, 'Hearth: Focus on Chat View');
  }
  const frame = chatFrame(page);
  await frame.locator('#input').waitFor({ state: 'visible', timeout: 60_000 });
  return frame;
}

/**
 * The Hearth output channel's text as the extension host wrote it to disk (every `Hearth.log` under the profile's
 * logs/): what the extension did, readable from outside while the UI shows only its result. '' before the first line.
 */
export function hearthLog(wb: Workbench): string {
  const logs = path.join(wb.userDataDir, 'logs');
  if (!fs.existsSync(logs)) return '';
  return (fs.readdirSync(logs, { recursive: true }) as string[])
    .filter((f) => path.basename(f) === 'Hearth.log')
    .map((f) => fs.readFileSync(path.join(logs, f), 'utf8'))
    .join('');
}

/**
 * In an open quick pick whose rows may arrive late (Choose Model… measures the machine first): waits for the list,
 * filters it to `text` (a long list is virtualized: a row below the fold is not in the DOM until filtered), accepts
 * the row once it is the focused one, and returns that row's text.
 */
export async function pickRow(page: Page, text: string, timeoutMs = 60_000): Promise<string> {
  const input = page.locator('.quick-input-widget input');
  // Visible rows only: the widget keeps an earlier pick's rows, hidden, until the new list replaces them.
  await page.locator('.quick-input-list .monaco-list-row').filter({ visible: true }).first().waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(text);
  const focused = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: text }).filter({ visible: true }).first();
  await focused.waitFor({ state: 'visible', timeout: 10_000 });
  const shown = await focused.innerText();
  await page.keyboard.press('Enter');
  return shown;
}

/**
 * Waits until one of the open webviews (each two iframes deep) shows `selector` with `text`: the chat view, or the
 * walkthrough's step media, whichever the page has.
 */
export async function waitInWebviews(page: Page, selector: string, text: string | RegExp, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const count = await page.locator('iframe.webview.ready').count();
    for (let i = 0; i < count; i++) {
      const target = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame').locator(selector, { hasText: text });
      if (await target.first().isVisible().catch(() => false)) return;
    }
    if (Date.now() > until) throw new Error(`no webview showed ${selector} with ${String(text)} within ${timeoutMs} ms`);
    await page.waitForTimeout(200);
  }
}

/** For an afterEach: when the test failed, a screenshot `<name>-failed` and the tail of the Hearth log. */
export async function recordFailure(wb: Workbench | undefined, test: Mocha.Test | undefined, name: string): Promise<void> {
  if (!wb || test?.state !== 'failed') return;
  const file = await wb.screenshot(`${name}-failed`).catch(() => '(no screenshot)');
  console.log(`      screenshot: ${file}\n      Hearth log (last 40 lines):\n${hearthLog(wb).split('\n').slice(-40).join('\n')}`);
}

/** Close Chromium and code-server (idempotent). */
export async function stop(): Promise<void> {
  const s = state();
  s.starting = undefined;
  while (s.cleanups.length) {
    const fn = s.cleanups.pop()!;
    await fn().catch((e) => console.error(`[harness] cleanup: ${e}`));
  }
}

/** Runs "Hearth: Test the Model" from the command palette, as a person would, and returns its toast's text. */
export async function runTestTheModel(wb: Workbench): Promise<string> {
  const { page } = wb;
  await page.locator('.monaco-workbench').click({ position: { x: 400, y: 300 } }).catch(() => undefined);
  await runCommand(page, 'Hearth: Test the Model');
  const toast = page.locator('.notification-toast', { hasText: 'Hearth works' });
  await toast.waitFor({ state: 'visible', timeout: 60_000 });
  return toast.innerText();
}
