/** The engine's own commands: choose a model file, show the log, restart, and a short end-to-end generation. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ErrorReporter } from './errorReporter';
import type { GenerationResult } from '../common/protocol';
import type { InferenceEngine } from '../common/engine';
import { JOBS, type JobEngines } from './jobEngines';
import { isCancelled } from '../common/errors';
import { updateUserSetting } from '../common/userSetting';

export function registerEngineCommands(engines: JobEngines, log: vscode.LogOutputChannel, errors: ErrorReporter): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('hearth.showLog', () => log.show(true)),
    vscode.commands.registerCommand('hearth.restartEngine', async () => {
      await Promise.all(JOBS.map((job) => engines.engine(job).restart()));
      log.info('engine restarted by the user; the model loads again on the next request');
      void vscode.window.setStatusBarMessage('Hearth: engine restarted; the model loads on the next request.', 4000);
    }),
    vscode.commands.registerCommand('hearth.selectModel', async (uri?: vscode.Uri) => {
      const picked = uri instanceof vscode.Uri ? [uri] : await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Use This Model',
        title: 'Choose a GGUF model file for Hearth',
        filters: { 'GGUF models': ['gguf'], 'All files': ['*'] },
      });
      if (!picked?.[0]) return undefined;
      const modelPath = picked[0].fsPath;
      const config = vscode.workspace.getConfiguration('hearth');
      const perJob = JOBS.filter((job) => config.get<string>(`models.${job}`, '').trim() !== '');
      if (perJob.length === 0) {
        // One model for both jobs, as before Hearth held a model per job.
        await updateUserSetting(vscode.workspace, 'modelPath', modelPath);
      } else {
        // A per-job model would hide hearth.modelPath: ask which job the file is for.
        const pick = await vscode.window.showQuickPick(
          [{ label: 'Both jobs', jobs: [...JOBS] }, { label: 'Completions', jobs: ['completion' as const] }, { label: 'Assistant (chat and actions)', jobs: ['assistant' as const] }],
          { title: `Use ${path.basename(modelPath)} for…` },
        );
        if (!pick) return undefined;
        for (const job of pick.jobs) await updateUserSetting(vscode.workspace, `models.${job}`, modelPath);
      }
      log.info(`model set to ${modelPath}`);
      return modelPath;
    }),
    // The assistant's model: the one a user talks to (and the only one when one model serves both jobs).
    vscode.commands.registerCommand('hearth.testModel', () => testModel(engines.engine('assistant'), log, errors)),
  ];
}

/** Runs a short generation with visible progress; returns the result so tests (and users) can see it work. */
async function testModel(engine: InferenceEngine, log: vscode.LogOutputChannel, errors: ErrorReporter): Promise<GenerationResult | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Hearth: testing the model', cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      try {
        progress.report({ message: 'loading…' });
        const info = await engine.modelInfo({ signal: controller.signal });
        progress.report({ message: `generating with ${info.name}…` });
        const started = Date.now();
        const result = await engine.complete('Once upon a time', { maxTokens: 48, temperature: 0.7, seed: 1 }, { signal: controller.signal, workload: 'chat' });
        const seconds = result.stats.generationMs / 1000;
        const tps = seconds > 0 ? result.stats.generatedTokens / seconds : 0;
        log.info(`test generation on ${result.model || info.name}: ${result.stats.generatedTokens} tokens at ${tps.toFixed(1)} tok/s in ${Date.now() - started} ms: ${JSON.stringify(result.text)}`);
        void vscode.window.showInformationMessage(`Hearth works: ${result.model || info.name} wrote ${result.stats.generatedTokens} tokens at ${tps.toFixed(0)} tok/s: “Once upon a time${result.text.slice(0, 120)}…”`);
        return result;
      } catch (error) {
        if (!isCancelled(error)) errors.report(error);
        return undefined;
      }
    },
  );
}
