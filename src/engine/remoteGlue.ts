/**
 * The remote engine's VS Code side: API keys in SecretStorage (the OS keychain), one per server origin, so a key
 * is only ever sent to the server it was set for and never sits in a settings file; the "Set Remote API Key"
 * command; and a warning, once per address, when code would travel over plain http to another machine.
 */
import * as vscode from 'vscode';
import { JOBS } from './jobEngines';
import { isLoopback, parseServerUrl } from './remote/client';
import { engineForJob } from './remote/settings';
import { readRemoteSettings, readRemoteTarget } from './settings';

const KEY_PREFIX = 'hearth.remote.apiKey:';

export class RemoteKeys {
  /** Read once per origin, kept until SecretStorage says it changed: a keystroke must not wait on the keychain. */
  private readonly cache = new Map<string, Promise<string | undefined>>();

  constructor(private readonly secrets: vscode.SecretStorage) {
    secrets.onDidChange((e) => {
      if (e.key.startsWith(KEY_PREFIX)) this.cache.delete(e.key.slice(KEY_PREFIX.length));
    });
  }

  get(origin: string): Promise<string | undefined> {
    let key = this.cache.get(origin);
    if (!key) {
      key = Promise.resolve(this.secrets.get(KEY_PREFIX + origin)).then((v) => v || undefined, () => undefined);
      this.cache.set(origin, key);
    }
    return key;
  }

  async set(origin: string, value: string | undefined): Promise<void> {
    this.cache.delete(origin);
    if (value) await this.secrets.store(KEY_PREFIX + origin, value);
    else await this.secrets.delete(KEY_PREFIX + origin);
  }
}

/** The origins of the servers the jobs use now (the remote ones), valid addresses only. */
function remoteOrigins(): string[] {
  const origins = new Set<string>();
  // Keys may be set before hearth.engine is switched to remote: every configured server is offered.
  for (const job of JOBS) {
    try {
      origins.add(parseServerUrl(readRemoteTarget(job).url).origin);
    } catch {
      // empty or invalid: the engine reports it
    }
  }
  return [...origins];
}

/** Warns once per address (per session) about plain http to another machine: code and keys would cross the network unencrypted. */
export class InsecureServerWarning {
  private readonly warned = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  check(): void {
    const engine = vscode.workspace.getConfiguration('hearth').get<string>('engine');
    const jobs = readRemoteSettings().jobs;
    for (const job of JOBS) {
      if (engineForJob(engine, jobs, job) !== 'remote') continue;
      let url: URL;
      try {
        url = parseServerUrl(readRemoteTarget(job).url);
      } catch {
        continue;
      }
      if (url.protocol !== 'http:' || isLoopback(url) || this.warned.has(url.origin)) continue;
      this.warned.add(url.origin);
      const message = `Hearth sends your code to ${url.origin} over plain http: anyone on the network between can read it (and the API key). Use https:// unless the network is yours.`;
      this.log.warn(message);
      void vscode.window.showWarningMessage(`Hearth: ${message}`);
    }
  }

  /** The addresses warned about so far (tests read it). */
  get shown(): readonly string[] {
    return [...this.warned];
  }
}

export function registerRemoteCommands(keys: RemoteKeys, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('hearth.setRemoteApiKey', async (origin?: string, value?: string) => {
      // Tests (and scripts) pass both; a user is asked.
      if (typeof origin !== 'string') {
        const origins = remoteOrigins();
        if (origins.length === 0) {
          void vscode.window.showInformationMessage('Hearth: set hearth.remote.url first; the key is kept for that server only.');
          return false;
        }
        origin = origins.length === 1 ? origins[0] : await vscode.window.showQuickPick(origins, { title: 'Hearth: the API key is for which server?' });
        if (!origin) return false;
      }
      if (typeof value !== 'string') {
        value = await vscode.window.showInputBox({
          title: `Hearth: API key for ${origin}`,
          prompt: 'Kept in the system keychain (VS Code SecretStorage), sent only to this server. Leave empty to remove it.',
          password: true,
          ignoreFocusOut: true,
        });
        if (value === undefined) return false;
      }
      await keys.set(origin, value.trim() || undefined);
      log.info(value.trim() ? `API key set for ${origin}` : `API key removed for ${origin}`);
      return true;
    }),
  ];
}
