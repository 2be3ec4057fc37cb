/**
 * A catalog download the user asked for: progress with size, speed, time left and Cancel; the Hugging Face token
 * from SecretStorage for gated models; the hash checked before first use (or pinned on this machine by the first
 * verified download when the publisher's hash is unknown: trust on first use); a clear message for each failure.
 */
import * as vscode from 'vscode';
import { isCancelled } from '../common/errors';
import type { Job } from '../common/protocol';
import type { CatalogEntry } from './catalog';
import { formatBytes } from './diskSpace';
import { downloadModel, type DownloadResult } from './download';
import { describeProgress } from './downloadProgress';
import { isDownloadError } from './downloadErrors';
import type { HttpOptions } from './httpGet';
import { modelUrl } from './modelUrl';
import { remoteFacts } from './remoteHeader';
import { modelsDir } from './resolve';
import type { ModelsSettings } from './settings';

export const TOKEN_SECRET = 'hearth.huggingFaceToken';
const PINNED_KEY = 'hearth.models.pinnedHashes';

/** Hashes this machine pinned for entries the publisher gave none for (id → sha256). */
export function pinnedHashes(state: vscode.Memento): Record<string, string> {
  return state.get<Record<string, string>>(PINNED_KEY, {});
}

/** The hash a download must have: the publisher's, else the one pinned here by the first verified download. */
export function expectedHash(entry: CatalogEntry, state: vscode.Memento): string | undefined {
  return entry.sha256 ?? pinnedHashes(state)[entry.id];
}

export interface DownloadFlowDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  settings: () => ModelsSettings;
}

/** Downloads `entry` with a progress notification; resolves the file's path, or undefined if it did not finish. */
export async function downloadWithProgress(entry: CatalogEntry, job: Job, deps: DownloadFlowDeps): Promise<string | undefined> {
  const { context, log } = deps;
  const settings = deps.settings();
  const url = modelUrl(entry, settings.downloadBaseUrl);
  const token = await context.secrets.get(TOKEN_SECRET);
  const sha = expectedHash(entry, context.globalState);
  log.info(`downloading ${entry.name} from ${url}${sha ? '' : ' (no published hash: the first verified download pins it)'}`);
  const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
  try {
    if (!(await headerLooksRight(entry, job, url, { headers, allowDownloads: settings.allowDownloads }, log))) return undefined;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Hearth: downloading ${entry.name}`, cancellable: true },
      async (progress, cancel): Promise<DownloadResult> => {
        const abort = new AbortController();
        cancel.onCancellationRequested(() => abort.abort());
        let reported = 0;
        return downloadModel({
          url,
          destDir: modelsDir(context.globalStorageUri.fsPath),
          fileName: entry.file,
          expectedSha256: sha,
          expectedSize: entry.sizeApprox ? undefined : entry.sizeBytes,
          headers,
          allowDownloads: settings.allowDownloads,
          signal: abort.signal,
          onProgress: (p) => {
            const { percent, message } = describeProgress(p, entry.sizeBytes);
            progress.report({ increment: Math.max(0, percent - reported), message });
            reported = Math.max(reported, percent);
          },
        });
      },
    );
    if (!entry.sha256 && !pinnedHashes(context.globalState)[entry.id]) {
      await context.globalState.update(PINNED_KEY, { ...pinnedHashes(context.globalState), [entry.id]: result.sha256 });
      log.info(`pinned sha256 ${result.sha256} for ${entry.id} (trust on first use: later downloads must match it)`);
    }
    log.info(`downloaded ${entry.name}: ${formatBytes(result.sizeBytes)}, sha256 ${result.sha256}${result.resumedFrom ? `, resumed from ${formatBytes(result.resumedFrom)}` : ''}`);
    return result.path;
  } catch (error) {
    if (isCancelled(error)) {
      log.info(`download of ${entry.name} cancelled; what arrived is kept and the next try resumes from it`);
      return undefined;
    }
    const message = error instanceof Error ? error.message : String(error);
    log.error(`download of ${entry.name} failed: ${message}`);
    const actions = isDownloadError(error, 'UNAUTHORIZED') ? ['Set Hugging Face Token', 'Open Model Page'] : ['Show Log'];
    void vscode.window.showErrorMessage(`Hearth: ${message}`, ...actions).then((choice) => {
      if (choice === 'Set Hugging Face Token') void vscode.commands.executeCommand('hearth.setHuggingFaceToken');
      else if (choice === 'Open Model Page') void vscode.env.openExternal(vscode.Uri.parse(`https://huggingface.co/${entry.repo}`));
      else if (choice === 'Show Log') void vscode.commands.executeCommand('hearth.showLog');
    });
    return undefined;
  }
}

/**
 * Reads the remote header first: a file whose architecture the bundled llama.cpp does not name, or a completion
 * model without FIM tokens, is worth a question before hundreds of megabytes. A header that cannot be read this
 * way (a server without Range) does not block the download; the load checks the file again.
 */
async function headerLooksRight(entry: CatalogEntry, job: Job, url: string, options: HttpOptions, log: vscode.LogOutputChannel): Promise<boolean> {
  let facts;
  try {
    facts = await remoteFacts(url, entry.sizeBytes, { ...options, stallTimeoutMs: 15_000 });
  } catch (error) {
    if (isDownloadError(error)) throw error;
    log.warn(`could not read the header of ${entry.file} before downloading (${(error as Error).message}); the file is checked again when it loads`);
    return true;
  }
  log.info(`${entry.file}: ${facts.architecture}, FIM ${facts.supportsFim ? 'yes' : 'no'}, chat template ${facts.hasChatTemplate ? 'yes' : 'no'}`);
  const problem = facts.architecture === 'unknown'
    ? 'its header names no architecture, so the bundled llama.cpp may not load it'
    : job === 'completion' && !facts.supportsFim ? 'it has no fill-in-the-middle tokens, so completions would see only the text before the cursor' : undefined;
  if (!problem) return true;
  const answer = await vscode.window.showWarningMessage(`Hearth: ${entry.name}: ${problem}. Download it anyway?`, { modal: true }, 'Download');
  return answer === 'Download';
}

/** Asks for the token in a password box and keeps it in SecretStorage (never in settings). */
export async function setToken(context: vscode.ExtensionContext): Promise<void> {
  const token = await vscode.window.showInputBox({
    title: 'Hugging Face token',
    prompt: 'Gated models (Gemma) need a read token from huggingface.co/settings/tokens, after you accept the model\'s terms on its page. Hearth keeps it in the system keychain. Leave empty to remove it.',
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return;
  if (token.trim()) await context.secrets.store(TOKEN_SECRET, token.trim());
  else await context.secrets.delete(TOKEN_SECRET);
  void vscode.window.showInformationMessage(token.trim() ? 'Hearth: Hugging Face token saved.' : 'Hearth: Hugging Face token removed.');
}
