// Extension-host side entry of the integration suite. The workbench (code-server with the
// smoke-test driver, or desktop VS Code via @vscode/test-electron) requires this file as
// extensionTestsPath and awaits run(). Runs every *.test.js next to it (recursively) with mocha.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const grep = process.env.HEARTH_TEST_GREP;
  if (grep) mocha.grep(grep);

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
