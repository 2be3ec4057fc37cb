/**
 * Wires Hearth together and returns. Nothing here loads a model or node-llama-cpp: the worker starts on the
 * first request that needs it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerActions } from './actions/index';
import { registerChat } from './chat/index';
import { registerCompletion } from './completion/index';
import { registerEngineCommands } from './engine/commands';
import { ErrorReporter } from './engine/errorReporter';
import type { HearthServices } from './common/services';
import { windowNotify } from './editing/notify';
import { EditingService } from './editing/service';
import { ENGINE_SETTINGS, readEngineConfig } from './engine/settings';
import { EngineStatusBar } from './engine/statusBar';
import { WorkerEngine } from './engine/workerEngine';

export interface HearthApi {
  engine: WorkerEngine;
  statusBar: EngineStatusBar;
  errors: ErrorReporter;
  activationMs: number;
  [capability: string]: unknown;
}

export function activate(context: vscode.ExtensionContext): HearthApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Hearth', { log: true });
  const engine = new WorkerEngine({
    workerPath: path.join(context.extensionPath, 'dist', 'worker.js'),
    config: readEngineConfig,
    log,
    calibrationFile: path.join(context.globalStorageUri.fsPath, 'thread-calibration.json'),
  });
  const errors = new ErrorReporter(log);
  const statusBar = new EngineStatusBar(engine);
  context.subscriptions.push(
    engine,
    statusBar,
    ...registerEngineCommands(engine, log, errors),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (ENGINE_SETTINGS.some((s) => e.affectsConfiguration(s))) engine.configurationChanged();
    }),
  );
  const reportError: HearthServices['reportError'] = (error, options) => errors.report(error, options);
  // Before the capabilities: both the actions and the chat propose through it.
  const editing = new EditingService(windowNotify((error) => reportError(error)));
  context.subscriptions.push(editing);
  const services: HearthServices = { context, engine, log, editing, reportError };
  const api: HearthApi = { engine, statusBar, errors, activationMs: 0 };
  const capabilities = { completion: registerCompletion, actions: registerActions, chat: registerChat };
  for (const [name, register] of Object.entries(capabilities)) {
    const { disposables, api: capabilityApi } = register(services);
    context.subscriptions.push(...disposables);
    api[name] = capabilityApi;
  }
  // Disposed last: the engine may still log while it stops its worker.
  context.subscriptions.push(log);
  api.activationMs = performance.now() - started;
  log.info(`Hearth activated in ${api.activationMs.toFixed(1)} ms; the model loads on first use`);
  return api;
}

export function deactivate(): void {}
