#!/usr/bin/env node
// Runs the integration suite (dist/test/integration/index.js) in DESKTOP VS Code through
// @vscode/test-electron, for machines that can download VS Code (or already have one).
//
//   node test/driver/run-desktop.mjs [--suite integration] [--vscode-version stable|1.xx.y]
//                                    [--vscode-executable PATH] [--model PATH]
//
// Env: VSCODE_EXECUTABLE (use an installed VS Code instead of downloading), HEARTH_TEST_MODEL.
// Offline (as on the project's CI machines) this cannot work: use  npm run test:integration
// (code-server) instead. The suite's own closing line is "N passed, N failed".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(REPO, 'package.json'));

const { values: opt } = parseArgs({
  options: {
    suite: { type: 'string', default: 'integration' },
    'vscode-version': { type: 'string', default: process.env.VSCODE_VERSION || 'stable' },
    'vscode-executable': { type: 'string', default: process.env.VSCODE_EXECUTABLE },
    model: { type: 'string' },
  },
  strict: true,
});

const extensionTestsPath = path.join(REPO, 'dist', 'test', opt.suite, 'index.js');
if (!fs.existsSync(extensionTestsPath)) {
  console.error(`[desktop] ${path.relative(REPO, extensionTestsPath)} not found: build first (node esbuild.mjs)`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const modelPath = path.resolve(
  opt.model || process.env.HEARTH_TEST_MODEL || path.join(REPO, '..', 'shared', 'models', 'stories260K.gguf'),
);
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-'));
const userDataDir = path.join(tmpRoot, 'u');
const extensionsDir = path.join(tmpRoot, 'x');
const workspaceDir = path.join(tmpRoot, 'w');
const fixture = path.join(REPO, 'test', 'fixtures', 'workspace');
if (fs.existsSync(fixture)) fs.cpSync(fixture, workspaceDir, { recursive: true });
else fs.mkdirSync(workspaceDir, { recursive: true });
fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
fs.mkdirSync(extensionsDir, { recursive: true });
fs.writeFileSync(
  path.join(userDataDir, 'User', 'settings.json'),
  JSON.stringify(
    {
      'hearth.modelPath': modelPath,
      'hearth.threads': 1,
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
    },
    null,
    2,
  ),
);

function offlineHint(err) {
  const text = `${err?.message ?? err} ${err?.cause?.message ?? ''} ${err?.code ?? ''} ${err?.cause?.code ?? ''}`;
  return /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|getaddrinfo|socket hang up/i.test(text);
}

const { runTests, TestRunFailedError } = require('@vscode/test-electron');
let code = 1;
try {
  code = await runTests({
    version: opt['vscode-version'],
    vscodeExecutablePath: opt['vscode-executable'] || undefined,
    extensionDevelopmentPath: REPO,
    extensionTestsPath,
    extensionTestsEnv: { HEARTH_TEST_MODEL: modelPath },
    launchArgs: [
      workspaceDir,
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--disable-extensions', // other installed extensions; the development one still loads
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--disable-gpu',
      '--no-sandbox',
    ],
  });
} catch (err) {
  if (err instanceof TestRunFailedError) {
    // VS Code ran and the suite failed: its own "N passed, N failed" line is already printed.
    console.error(`[desktop] ${err.message}`);
    code = typeof err.code === 'number' && err.code !== 0 ? err.code : 1;
  } else {
    if (offlineHint(err)) {
      console.error(
        `[desktop] cannot download VS Code (${err?.cause?.code || err?.code || err?.message}): this machine is offline.\n` +
          '[desktop] Use the code-server runner instead:  npm run test:integration\n' +
          '[desktop] or point at an installed VS Code:  VSCODE_EXECUTABLE=/path/to/code npm run test:desktop',
      );
    } else {
      console.error(`[desktop] ${err?.stack ?? err}`);
    }
    console.log('0 passed, 1 failed');
    code = 1;
  }
} finally {
  fs.rmSync(tmpRoot, { recursive: true, force: true });
}
process.exit(code);
