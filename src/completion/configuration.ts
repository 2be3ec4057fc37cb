/** `hearth.completion.*` as the extension sees it: read once, re-read when it changes, written by the commands. */
import * as vscode from 'vscode';
import { COMPLETION_SECTION, readCompletionSettings, type CompletionSettings } from './settings';

function read(): CompletionSettings {
  const c = vscode.workspace.getConfiguration(COMPLETION_SECTION);
  return readCompletionSettings((key, fallback) => c.get(key, fallback));
}

export class CompletionConfiguration implements vscode.Disposable {
  private value = read();
  private readonly changed = new vscode.EventEmitter<CompletionSettings>();
  /** Fires with the new settings after a change to `hearth.completion.*`. */
  readonly onDidChange = this.changed.event;
  private readonly subscription = vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration(COMPLETION_SECTION)) return;
    this.value = read();
    this.changed.fire(this.value);
  });

  get current(): CompletionSettings {
    return this.value;
  }

  /** Writes a user (global) setting; `current` follows once VS Code reports the change. */
  async update<K extends keyof CompletionSettings>(key: K, value: CompletionSettings[K]): Promise<void> {
    await vscode.workspace.getConfiguration(COMPLETION_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
