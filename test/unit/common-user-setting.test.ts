// updateUserSetting (src/common/userSetting.ts): a choice is written and then read back before the caller goes on.
// In code-server under a CPU hog the host's copy of the settings followed the write by seconds, and the model
// chosen in the e2e download test was not yet the one "Test the Model" ran.
import * as assert from 'node:assert/strict';
import { updateUserSetting } from '../../src/common/userSetting';

type Listener = (e: { affectsConfiguration(section: string): boolean }) => void;

/** A workspace whose host copy of a written value arrives `lagMs` later (never, for Infinity), by a change event. */
function fakeWorkspace(lagMs: number, fail?: Error) {
  const listeners = new Set<Listener>();
  const file = new Map<string, unknown>();
  const host = new Map<string, unknown>();
  const workspace = {
    getConfiguration: () => ({
      inspect: (key: string) => ({ key, globalValue: host.get(key) }),
      update: async (key: string, value: unknown) => {
        if (fail) throw fail;
        file.set(key, value);
        if (lagMs === 0) host.set(key, value);
        else if (lagMs !== Infinity) setTimeout(() => {
          host.set(key, value);
          for (const l of listeners) l({ affectsConfiguration: (s) => s === `hearth.${key}` });
        }, lagMs);
      },
    }),
    onDidChangeConfiguration: (l: Listener) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
  };
  return { workspace: workspace as never, host, listeners };
}

describe('updateUserSetting: the host reads a written setting back before the caller goes on', () => {
  it('waits for the host copy when it comes later', async () => {
    const f = fakeWorkspace(120);
    const started = Date.now();
    await updateUserSetting(f.workspace, 'models.assistant', 'hearth-test-stories', 2000);
    assert.equal(f.host.get('models.assistant'), 'hearth-test-stories');
    assert.ok(Date.now() - started >= 100, `returned after ${Date.now() - started} ms, before the host had it`);
    assert.equal(f.listeners.size, 0, 'the change listener was left behind');
  });

  it('returns at once when the host already has it, and compares arrays by value', async () => {
    const f = fakeWorkspace(0);
    const started = Date.now();
    await updateUserSetting(f.workspace, 'models.folders', ['/a', '/b'], 2000);
    assert.deepEqual(f.host.get('models.folders'), ['/a', '/b']);
    assert.ok(Date.now() - started < 100);
    assert.equal(f.listeners.size, 0);
  });

  it('gives up after the timeout when the host never reads it back (and does not hang)', async () => {
    const f = fakeWorkspace(Infinity);
    const started = Date.now();
    await updateUserSetting(f.workspace, 'modelPath', '/m.gguf', 150);
    const waited = Date.now() - started;
    assert.ok(waited >= 140 && waited < 1000, `waited ${waited} ms`);
    assert.equal(f.listeners.size, 0);
  });

  it('a failed write throws and leaves no listener or timer behind', async () => {
    const f = fakeWorkspace(0, new Error('read-only settings'));
    await assert.rejects(updateUserSetting(f.workspace, 'modelPath', '/m.gguf', 60_000), /read-only settings/);
    assert.equal(f.listeners.size, 0);
  });
});
