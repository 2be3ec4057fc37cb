/** The real engine client over a real worker process, as the unit tests set it up. */
import { defaultEngineConfig, type EngineConfig } from '../../src/engine/config';
import { WorkerEngine } from '../../src/engine/workerEngine';
import { workerPath } from './paths';

export const quietLog = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

/** One thread, no idle unload, a 2,048-token context unless overridden; `config` may be changed by the test. */
export function realEngine(overrides: Partial<EngineConfig>): { engine: WorkerEngine; config: EngineConfig } {
  const config: EngineConfig = { ...defaultEngineConfig, threads: 1, contextSize: 2048, idleUnloadMinutes: 0, ...overrides };
  return { engine: new WorkerEngine({ workerPath, config: () => config, log: quietLog }), config };
}

/** Waits for a condition, polling; fails with `what` after `timeoutMs` (a test waits for states, not for guessed times). */
export async function waitFor(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
