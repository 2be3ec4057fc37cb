/**
 * Models: the VS Code side of choosing a model per job. "Hearth: Choose Model…" ranks the catalog by fit on this
 * machine and lists the models already on disk; choosing one sets `hearth.models.<job>` (the engine switches
 * without a reload), downloading it first if the user asks. Discovery runs when the picker opens, never at
 * activation.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Job, ProbeResult } from '../common/protocol';
import { CATALOG, type CatalogEntry } from './catalog';
import { buildChoices, type Choice } from './choices';
import { discoverModels, type DiscoveredModel } from './discovery';
import { downloadWithProgress, pinnedHashes, setToken } from './downloadFlow';
import type { MachineMemory } from './fit';
import { extractLlamafile } from './llamafile';
import { downloadedPath, resolveModelSetting } from './resolve';
import { readModelsSettings, type ModelsSettings } from './settings';
import { updateUserSetting } from '../common/userSetting';

export interface ModelsHost {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  /** This machine and each model's need, measured by node-llama-cpp in a short-lived worker. */
  probe(paths: string[]): Promise<ProbeResult>;
}

export interface ModelsApi {
  /** A catalog id or path from settings, as the file the engine loads. */
  resolve(value: string): string;
  /** What the picker would offer for `job` now. */
  choices(job: Job): Promise<Choice[]>;
  /** Uses a choice for `job` (downloading a catalog model first); resolves the value written to the setting. */
  use(job: Job, choice: Choice): Promise<string | undefined>;
  discover(): Promise<DiscoveredModel[]>;
  testing: {
    /** Replaces the catalog (tests serve fixture models from a local server under catalog-like entries). */
    setCatalog(entries: readonly CatalogEntry[]): void;
  };
}

const JOB_LABEL: Record<Job, string> = { completion: 'inline completions', assistant: 'the assistant (chat and selection actions)' };

export function registerModels(host: ModelsHost): { disposables: vscode.Disposable[]; api: ModelsApi } {
  const { context, log } = host;
  const storage = context.globalStorageUri.fsPath;
  let catalog: readonly CatalogEntry[] = CATALOG;
  const settings = (): ModelsSettings => {
    const c = vscode.workspace.getConfiguration();
    return readModelsSettings((key, fallback) => c.get(key, fallback));
  };

  const discover = () => discoverModels({ env: process.env, home: os.homedir(), extraFolders: settings().folders });

  async function machineAndNeeds(paths: string[]): Promise<{ machine: MachineMemory; needs: Map<string, number> }> {
    try {
      const probed = await host.probe(paths);
      const m = probed.machine;
      const machine: MachineMemory = { totalRam: m.totalRamBytes, freeRam: m.freeRamBytes, vram: m.vram ? { total: m.vram.totalBytes, free: m.vram.freeBytes } : undefined };
      return { machine, needs: new Map(probed.models.filter((e) => !e.error).map((e) => [e.path, e.ramBytes + e.vramBytes])) };
    } catch (error) {
      log.warn(`could not measure this machine through llama.cpp (${(error as Error).message}); using the OS figures`);
      return { machine: { totalRam: os.totalmem(), freeRam: os.freemem() }, needs: new Map() };
    }
  }

  async function choices(job: Job): Promise<Choice[]> {
    const discovered = await discover().catch((error: Error) => {
      log.warn(`model discovery failed: ${error.message}`);
      return [] as DiscoveredModel[];
    });
    const suitable = discovered.filter((d) => !d.embedded && d.facts);
    const { machine, needs } = await machineAndNeeds(suitable.map((d) => d.path));
    const downloaded = new Set(catalog.filter((e) => fs.existsSync(downloadedPath(e, storage))).map((e) => e.id));
    return buildChoices({ job, catalog, machine, downloaded, pinned: new Set(Object.keys(pinnedHashes(context.globalState))), discovered, measuredNeed: needs });
  }

  async function use(job: Job, choice: Choice): Promise<string | undefined> {
    let value: string | undefined;
    const action = choice.action;
    if (action.kind === 'catalog') {
      if (!action.onDisk) {
        if (!settings().allowDownloads) {
          void vscode.window.showErrorMessage('Hearth: downloads are turned off ("hearth.network.allowDownloads"). Choose a model already on this machine, or turn downloads on.');
          return undefined;
        }
        const file = await downloadWithProgress(action.entry, job, { context, log, settings });
        if (!file) return undefined;
      }
      value = action.entry.id;
    } else if (action.model.source === 'llamafile' && action.model.embedded) {
      value = await extractLlamafile(action.model.path, path.join(storage, 'llamafiles'));
    } else {
      value = action.model.path;
    }
    await updateUserSetting(vscode.workspace, `models.${job}`, value);
    log.info(`the ${job} model is now ${value}`);
    return value;
  }

  async function chooseModel(jobArg?: unknown): Promise<string | undefined> {
    let job: Job | undefined = jobArg === 'completion' || jobArg === 'assistant' ? jobArg : undefined;
    if (!job) {
      const pick = await vscode.window.showQuickPick(
        (['completion', 'assistant'] as const).map((j: Job) => ({ label: j === 'completion' ? 'Completion model' : 'Assistant model', detail: `The model for ${JOB_LABEL[j]}`, job: j })),
        { title: 'Hearth: Choose Model…', placeHolder: 'Which job is the model for?' },
      );
      if (!pick) return undefined;
      job = pick.job;
    }
    const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { choice?: Choice }>();
    quickPick.title = `Hearth: the model for ${JOB_LABEL[job]}`;
    quickPick.placeholder = 'Measuring this machine and looking for models on disk…';
    quickPick.busy = true;
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    quickPick.show();
    const items = await choices(job);
    const rows: Array<vscode.QuickPickItem & { choice?: Choice }> = [];
    let section = '';
    for (const choice of items) {
      if (choice.section !== section) {
        section = choice.section;
        rows.push({ label: section, kind: vscode.QuickPickItemKind.Separator });
      }
      rows.push({ label: choice.label, description: choice.description, detail: choice.detail, choice });
    }
    rows.push({ label: 'Other', kind: vscode.QuickPickItemKind.Separator }, { label: '$(folder-opened) Browse for a GGUF file…' });
    quickPick.items = rows;
    const preselected = rows.find((r) => r.choice?.picked);
    if (preselected) quickPick.activeItems = [preselected];
    quickPick.busy = false;
    quickPick.placeholder = 'Recommended first; models that would not fit this machine are listed last';
    const picked = await new Promise<(vscode.QuickPickItem & { choice?: Choice }) | undefined>((resolve) => {
      quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
      quickPick.onDidHide(() => resolve(undefined));
    });
    quickPick.dispose();
    if (!picked) return undefined;
    if (!picked.choice) {
      const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use This Model', filters: { 'GGUF models': ['gguf'], 'All files': ['*'] } });
      if (!files?.[0]) return undefined;
      await updateUserSetting(vscode.workspace, `models.${job}`, files[0].fsPath);
      return files[0].fsPath;
    }
    return use(job, picked.choice);
  }

  const disposables = [
    vscode.commands.registerCommand('hearth.chooseModel', chooseModel),
    vscode.commands.registerCommand('hearth.setHuggingFaceToken', () => setToken(context)),
    vscode.commands.registerCommand('hearth.walkthrough.tryCompletion', async () => {
      const document = await vscode.workspace.openTextDocument({ language: 'python', content: 'def fibonacci(n):\n    ' });
      const editor = await vscode.window.showTextDocument(document);
      const end = document.lineAt(1).range.end;
      editor.selection = new vscode.Selection(end, end);
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    }),
  ];
  const api: ModelsApi = {
    resolve: (value) => resolveModelSetting(value, storage, catalog),
    choices,
    use,
    discover,
    testing: { setCatalog: (entries) => (catalog = entries) },
  };
  return { disposables, api };
}
