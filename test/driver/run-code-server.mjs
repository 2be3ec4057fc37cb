#!/usr/bin/env node
// Runs Hearth's test suites inside a REAL VS Code (code-server) offline, or serves it for a person.
//
//   node test/driver/run-code-server.mjs --suite integration [--timeout MIN] [--keep-tmp]
//       mocha inside the extension host: dist/test/integration/index.js run() (smoke-test driver payload)
//   node test/driver/run-code-server.mjs --suite soak [--minutes N]
//       the extension-host soak (dist/test/soak/index.js): N minutes (HEARTH_SOAK_MINUTES, 2.5) of mixed work
//   node test/driver/run-code-server.mjs --suite e2e [--timeout MIN] [--grep RE]
//       mocha in THIS process on dist/test/e2e/*.test.js; tests drive the page via test/e2e/harness.ts
//       (without --grep, HEARTH_TEST_GREP narrows it, as it does the integration suite)
//   node test/driver/run-code-server.mjs --serve [--model PATH] [--port N] [--folder DIR]
//       code-server with Hearth loaded, prints the URL, runs until Ctrl+C
//
// Needs: npm ci, bash .ci/install-tools.sh, a build (node esbuild.mjs).
// Env: HEARTH_TEST_MODEL (model for hearth.modelPath), HEARTH_TEST_VERBOSE=1 (print all workbench logs).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import util, { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const wb = require('./workbench.cjs');
const REPO = wb.REPO_ROOT;
const HERE = path.dirname(fileURLToPath(import.meta.url));

const { values: opt } = parseArgs({
  options: {
    suite: { type: 'string' },
    serve: { type: 'boolean', default: false },
    model: { type: 'string' },
    port: { type: 'string' },
    folder: { type: 'string' },
    timeout: { type: 'string' }, // minutes (15, or the soak's minutes + 10)
    minutes: { type: 'string' },
    grep: { type: 'string' },
    'keep-tmp': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (opt.help || (!opt.serve && !opt.suite)) {
  console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 15).join('\n').replace(/^\/\/ ?/gm, ''));
  process.exit(opt.help ? 0 : 2);
}
if (HERE !== path.join(REPO, 'test', 'driver')) throw new Error('unexpected layout');

// The extension host inherits the environment: that is how the soak's length reaches it.
if (opt.minutes) process.env.HEARTH_SOAK_MINUTES = opt.minutes;
opt.timeout ??= String(Math.max(15, Number(process.env.HEARTH_SOAK_MINUTES ?? 0) * 1.5 + 10));
const timeoutMs = Math.round(parseFloat(opt.timeout) * 60_000);
const log = (l) => console.log(`[driver] ${l}`);

// Everything we start must die with us, whatever happens.
const cleanups = [];
async function cleanup() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (e) {
      console.error(`[driver] cleanup: ${e?.message ?? e}`);
    }
  }
}
let exiting = false;
async function finish(code) {
  if (exiting) return;
  exiting = true;
  await cleanup();
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    finish(130);
  });
}
process.on('uncaughtException', (e) => {
  console.error('[driver] uncaught:', e);
  finish(1);
});

function timeoutGuard(what) {
  const t = setTimeout(() => {
    console.error(`[driver] TIMEOUT: ${what} did not finish within ${opt.timeout} min`);
    console.log('0 passed, 1 failed');
    finish(1);
  }, timeoutMs);
  t.unref();
  return t;
}

// --------------------------------------------------------------------------------------------
async function serve() {
  const cs = await wb.startCodeServer({
    runDir: path.join(REPO, '.test-run', 'serve'),
    port: opt.port ? parseInt(opt.port, 10) : undefined,
    folder: opt.folder,
    modelPath: opt.model,
    firstRunWithoutModel: true,
    linkExtension: true, // loads the repo (dist/extension.js) as an installed extension; toasts work
    log,
  });
  cleanups.push(cs.stop);
  if (!fs.existsSync(path.join(REPO, 'dist', 'extension.js'))) log('warning: dist/extension.js missing: run  node esbuild.mjs');
  console.log(`\nHearth in VS Code (code-server), model: ${cs.modelPath ?? 'none yet (the welcome page and "Hearth: Choose Model…" help you get one)'}\n\n  ${cs.baseUrl}/?folder=${encodeURIComponent(cs.workspaceDir)}\n`);
  console.log('After rebuilding (node esbuild.mjs), run "Developer: Reload Window". Ctrl+C to stop.');
  cs.proc.on('exit', (code) => {
    log(`code-server exited (${code})`);
    finish(code ?? 1);
  });
  await new Promise(() => {});
}

// --------------------------------------------------------------------------------------------
// codeAutomationLog(type, args): args is console.log's argument list (format string first).
function formatLogArgs(args) {
  const a = Array.isArray(args) ? args : [args];
  return util.format(...a).replace(/%c/g, '');
}

// Workbench-internal chatter that arrives through the same channel as the extension host's output.
const NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^\[(reconnection-grace-time|Service Worker|AgentHost[^\]]*|AccountPolicyGate)\]/,
  /^Updating additional builtin extensions cache/,
  /ENOTFOUND open-vsx\.org/,
  /vsda/,
  /^\[Extension Host\] (Debugger|For help, see)/,
];

async function runIntegration() {
  const suite = opt.suite;
  const testsPath = path.join(REPO, 'dist', 'test', suite, 'index.js');
  if (!fs.existsSync(testsPath)) {
    console.error(`[driver] ${path.relative(REPO, testsPath)} not found: build first (node esbuild.mjs)`);
    console.log('0 passed, 1 failed');
    return 1;
  }
  const runDir = path.join(REPO, '.test-run', suite);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const wbLog = fs.createWriteStream(path.join(runDir, 'workbench.log'));
  const verbose = process.env.HEARTH_TEST_VERBOSE === '1';
  const t0 = Date.now();
  timeoutGuard(`suite ${suite}`);

  // HEARTH_VSIX: the suite runs against the packaged build, installed as a user would install it; the
  // installed folder is then the extension under test (the tests themselves still come from dist/test).
  const packaged = Boolean(process.env.HEARTH_VSIX);
  const cs = await wb.startCodeServer({
    runDir,
    folder: opt.folder,
    modelPath: opt.model,
    smokeTestDriver: true, // required: a built workbench ignores extensionTestsPath without it
    keepTmp: opt['keep-tmp'],
    linkExtension: packaged,
    log,
  });
  cleanups.push(cs.stop);
  let extensionUnderTest = REPO;
  if (packaged) {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const installed = fs.readdirSync(cs.dirs.extensions).find((d) => d.startsWith(`${pkg.publisher}.${pkg.name}-`));
    if (!installed) throw new Error(`the VSIX ${process.env.HEARTH_VSIX} was not installed into ${cs.dirs.extensions}`);
    extensionUnderTest = path.join(cs.dirs.extensions, installed);
    log(`testing the installed extension ${extensionUnderTest}`);
  }
  const { context, page } = await wb.launchBrowser(cs);
  cleanups.push(() => context.close());

  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  // Lines the extension host prints (console.log in the tests, mocha's reporter) arrive here.
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = formatLogArgs(args);
    wbLog.write(`[${type}] ${text}\n`);
    if (verbose) {
      process.stdout.write(`[workbench:${type}] ${text}\n`);
    } else if (!NOISE.some((re) => re.test(text))) {
      // Errors come with long minified stacks: first line only here, all of it in workbench.log.
      process.stdout.write((type === 'error' ? `[workbench error] ${text.split('\n')[0]}` : text) + '\n');
    }
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
  page.on('pageerror', (e) => wbLog.write(`[pageerror] ${e?.stack ?? e}\n`));
  page.on('crash', () => {
    console.error('[driver] the workbench page crashed');
    resolveExit(1);
  });
  let suiteDone = false;
  cs.proc.once('exit', (c, sig) => {
    if (suiteDone || exiting) return; // stopped by our own cleanup
    console.error(`[driver] code-server exited during the suite (${c ?? sig}); see ${cs.codeServerLog}`);
    resolveExit(1);
  });

  const url = wb.workbenchUrl(cs, { extensionDevelopmentPath: extensionUnderTest, extensionTestsPath: testsPath });
  wbLog.write(`URL ${url}\n`);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  log(`workbench opened in ${Date.now() - t0} ms; running ${path.relative(REPO, testsPath)}`);

  const code = await exited;
  suiteDone = true;
  log(`suite ${suite} finished with exit code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (code !== 0) {
    try {
      await page.screenshot({ path: path.join(runDir, 'failure.png') });
    } catch {
      /* page may be gone */
    }
  }
  wbLog.end();
  return code;
}

// --------------------------------------------------------------------------------------------
async function runE2E() {
  const dir = path.join(REPO, 'dist', 'test', 'e2e');
  const files = fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.test.js')).sort()
    : [];
  if (!files.length) {
    console.error(`[driver] no dist/test/e2e/**/*.test.js: build first (node esbuild.mjs)`);
    console.log('0 passed, 1 failed');
    return 1;
  }
  const runDir = path.join(REPO, '.test-run', 'e2e');
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  process.env.HEARTH_E2E_RUN_DIR = runDir;
  if (opt.model) process.env.HEARTH_TEST_MODEL = path.resolve(opt.model);
  timeoutGuard('suite e2e');

  const Mocha = require(require.resolve('mocha', { paths: [REPO] }));
  const reporter = require(path.join(REPO, 'dist', 'test', 'support', 'summary.js'));
  const harness = require(path.join(dir, 'harness.js'));
  cleanups.push(() => harness.stop());

  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 120_000,
    color: false,
    reporter: reporter.default ?? reporter,
    grep: opt.grep ?? process.env.HEARTH_TEST_GREP,
  });
  for (const f of files) mocha.addFile(path.join(dir, f));
  await mocha.loadFilesAsync();
  const failures = await new Promise((resolve) => mocha.run(resolve));
  return failures > 0 ? 1 : 0;
}

// --------------------------------------------------------------------------------------------
try {
  if (opt.serve) {
    await serve();
  } else if (opt.suite === 'e2e') {
    await finish(await runE2E());
  } else if (opt.suite === 'integration' || fs.existsSync(path.join(REPO, 'dist', 'test', opt.suite, 'index.js'))) {
    await finish(await runIntegration());
  } else {
    console.error(`[driver] unknown suite: ${opt.suite}`);
    await finish(2);
  }
} catch (e) {
  if (exiting) await new Promise(() => {}); // already shutting down (timeout/signal): its own message said why
  console.error(`[driver] ${e?.stack ?? e}`);
  console.log('0 passed, 1 failed');
  await finish(1);
}
