// Extension-host side entry of the integration suite. The workbench (code-server with the
// smoke-test driver, or desktop VS Code via @vscode/test-electron) requires this file as
// extensionTestsPath and awaits run(). Runs every *.test.js next to it (recursively) with mocha.
// The network guard goes in first: the extension host and every process it starts from here on (the workers)
// refuse connections that leave the machine, and the suite fails on any a test did not plant.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Mocha from 'mocha';
import { installSuiteNetGuard } from '../support/suiteNetGuard';

export async function run(): Promise<void> {
  const guard = installSuiteNetGuard(fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-net-')));
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const grep = process.env.HEARTH_TEST_GREP;
  if (grep) mocha.grep(grep);
  mocha.suite.afterAll('no connection left the machine (extension host and workers)', function () {
    const attempts = guard.unplanted();
    if (attempts.length) throw new Error(`network access outside loopback:\n${attempts.join('\n')}`);
  });

  const files = (fs.readdirSync(__dirname, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.js'))
    // activation.test.js first: it checks what activation alone did, before any other test sends a request.
    .sort((a, b) => Number(b.endsWith('activation.test.js')) - Number(a.endsWith('activation.test.js')) || a.localeCompare(b));
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  await new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const passed = runner.stats?.passes ?? 0;
        const skipped = runner.stats?.pending ?? 0;
        console.log(`${passed} passed, ${failures} failed` + (skipped ? `, ${skipped} skipped` : ''));
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else if (passed === 0) reject(new Error('no integration test ran'));
        else resolve();
      });
    } catch (err) {
      console.error(err);
      console.log('0 passed, 1 failed');
      reject(err);
    }
  });
}
