/**
 * The integration suite's offline proof: netGuard.cjs installed in the extension host (loopback allowed, for the
 * suite's own local servers) and preloaded into every Node process started from it afterwards (the workers), whose
 * refusals are appended to one log. `planted` lets a test make attempts on purpose and take them off the record.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

interface NetGuardModule {
  attempts(): Array<{ what: string; stack: string }>;
  planted(fn: () => unknown): Promise<string[]>;
}

export interface SuiteNetGuard {
  /** Runs `fn`, which reaches out on purpose, and returns what it was refused (here and in child processes). */
  planted(fn: () => unknown): Promise<string[]>;
  /** Every refused attempt no test planted: "where: what". */
  unplanted(): string[];
}

const KEY = Symbol.for('hearth.suiteNetGuard');

export function installSuiteNetGuard(logDir: string): SuiteNetGuard {
  const g = globalThis as unknown as Record<symbol, SuiteNetGuard | undefined>;
  if (g[KEY]) return g[KEY];
  const guardPath = path.join(repoRoot, 'test', 'support', 'netGuard.cjs');
  process.env.HEARTH_NET_GUARD_LOOPBACK = 'allow';
  // A computed path keeps esbuild from bundling it: every bundle must share the one instance the host loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const guard = require(guardPath) as NetGuardModule;
  // Set after the host's own install: the host keeps its record in memory, children append here.
  const log = path.join(logDir, 'children.log');
  fs.writeFileSync(log, '');
  process.env.HEARTH_NET_GUARD_LOG = log;
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${guardPath}`.trim();
  let plantedInChildren: string[] = [];
  const childLines = () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const suite: SuiteNetGuard = {
    async planted(fn) {
      const before = childLines().length;
      const here = await guard.planted(fn);
      const there = childLines().slice(before);
      plantedInChildren = plantedInChildren.concat(there);
      return [...here, ...there.map((l) => l.split(' ').slice(2).join(' '))];
    },
    unplanted() {
      const children = childLines().filter((l) => !plantedInChildren.includes(l)).map((l) => `child ${l}`);
      return [...guard.attempts().map((a) => `extension host: ${a.what}\n${a.stack}`), ...children];
    },
  };
  g[KEY] = suite;
  return suite;
}

/** The guard the suite's entry installed (tests plant attempts through it). */
export function suiteNetGuard(): SuiteNetGuard {
  const guard = (globalThis as unknown as Record<symbol, SuiteNetGuard | undefined>)[KEY];
  if (!guard) throw new Error('the integration suite\'s network guard is not installed (test/support/hostSuite.ts installs it)');
  return guard;
}
