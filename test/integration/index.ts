// Extension-host side entry of the integration suite. The workbench (code-server with the
// smoke-test driver, or desktop VS Code via @vscode/test-electron) requires this file as
// extensionTestsPath and awaits run(). Runs every *.test.js next to it (recursively) with mocha.
import { runHostSuite } from '../support/hostSuite';

export function run(): Promise<void> {
  return runHostSuite(__dirname, {
    name: 'integration',
    timeoutMs: 60_000,
    // activation.test.js first: it checks what activation alone did, before any other test sends a request.
    order: (a, b) => Number(b.endsWith('activation.test.js')) - Number(a.endsWith('activation.test.js')) || a.localeCompare(b),
  });
}
