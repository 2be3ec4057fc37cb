// Runs the *.test.js files under a folder with mocha inside the extension host (the integration and soak suites'
// index.ts). The network guard goes in first: the extension host and every process it starts from here on (the
// workers) refuse connections that leave the machine, and the suite fails on any a test did not plant. The
// closing "N passed, N failed" line is what test/driver/run-code-server.mjs and test/run-all.sh read.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Mocha from 'mocha';
import { installSuiteNetGuard } from './suiteNetGuard';

export async function runHostSuite(dir: string, options: { name: string; timeoutMs: number; order?: (a: string, b: string) => number }): Promise<void> {
  const guard = installSuiteNetGuard(fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-net-')));
  const mocha = new Mocha({ ui: 'bdd', timeout: options.timeoutMs, color: false, reporter: 'spec' });
  const grep = process.env.HEARTH_TEST_GREP;
  if (grep) mocha.grep(grep);
  mocha.suite.afterAll('no connection left the machine (extension host and workers)', function () {
    const attempts = guard.unplanted();
    if (attempts.length) throw new Error(`network access outside loopback:\n${attempts.join('\n')}`);
  });

  const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.test.js')).sort(options.order);
  for (const f of files) mocha.addFile(path.join(dir, f));

  await new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const passed = runner.stats?.passes ?? 0;
        const skipped = runner.stats?.pending ?? 0;
        console.log(`${passed} passed, ${failures} failed` + (skipped ? `, ${skipped} skipped` : ''));
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else if (passed === 0) reject(new Error(`no ${options.name} test ran`));
        else resolve();
      });
    } catch (err) {
      console.error(err);
      console.log('0 passed, 1 failed');
      reject(err);
    }
  });
}
