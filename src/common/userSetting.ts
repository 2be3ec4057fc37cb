/**
 * Writing a setting the next moment depends on. `update()` resolves when the settings file is written, but the
 * extension host's copy follows through a change event that can come seconds later on a loaded machine: in
 * code-server under a CPU hog, a model chosen and then tested at once was tested on the model before it.
 */
import { isDeepStrictEqual } from 'node:util';
import type * as vscode from 'vscode';

type Workspace = Pick<typeof vscode.workspace, 'getConfiguration' | 'onDidChangeConfiguration'>;

/**
 * Writes `hearth.<key>` in the user's settings and waits (up to `timeoutMs`) until this host reads it back, so
 * whatever reads settings right after a choice sees the choice. `workspace` is `vscode.workspace` (passed in:
 * this layer loads no VS Code at run time).
 */
export async function updateUserSetting(workspace: Workspace, key: string, value: unknown, timeoutMs = 5000): Promise<void> {
  const seen = () => isDeepStrictEqual(workspace.getConfiguration('hearth').inspect(key)?.globalValue, value);
  let done = () => {};
  const applied = new Promise<void>((resolve) => {
    const sub = workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`hearth.${key}`) && seen()) done();
    });
    const timer = setTimeout(() => done(), timeoutMs);
    done = () => {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    };
  });
  try {
    // `true`: the user's (global) settings.
    await workspace.getConfiguration('hearth').update(key, value, true);
  } catch (error) {
    done();
    throw error;
  }
  if (!seen()) await applied;
  done();
}
