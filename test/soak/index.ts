// Extension-host side entry of the soak suite (node test/driver/run-code-server.mjs --suite soak): the workbench
// requires this file as extensionTestsPath and awaits run(). One long test file; its own timeout follows the
// run's length.
import { runHostSuite } from '../support/hostSuite';

export function run(): Promise<void> {
  return runHostSuite(__dirname, { name: 'soak', timeoutMs: 60_000 });
}
