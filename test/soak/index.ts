// Extension-host side entry of the soak suite (node test/driver/run-code-server.mjs --suite soak): the workbench
// requires this file as extensionTestsPath and awaits run(). One long test file; its own timeout follows the
// run's length.
import * as path from 'node:path';
import { runHostSuite } from '../support/hostSuite';
import { repoRoot } from '../support/paths';

export function run(): Promise<void> {
  // Into every worker started from here on (workerGc.cjs says why); workers inherit this host's environment.
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(repoRoot, 'test', 'soak', 'workerGc.cjs')}`.trim();
  return runHostSuite(__dirname, { name: 'soak', timeoutMs: 60_000 });
}
