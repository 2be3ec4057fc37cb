/**
 * Wires Hearth together and returns. Nothing here loads a model or node-llama-cpp: the worker starts on the
 * first request that needs it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerActions, type ActionsApi } from './actions/index';
import { registerChat, type ChatApi } from './chat/index';
import type { InferenceEngine } from './common/engine';
import type { HearthServices } from './common/services';
import { registerCompletion, type CompletionApi } from './completion/index';
import { registerEngineCommands } from './engine/commands';
import { ErrorReporter } from './engine/errorReporter';
import { windowNotify } from './editing/notify';
import { EditingService } from './editing/service';
import { ENGINE_SETTINGS, readEngineConfig } from './engine/settings';
import { EngineStatusBar } from './engine/statusBar';
import { WorkerEngine } from './engine/workerEngine';

/** What `activate()` returns: each capability's API with its type; hooks only tests use sit under `testing`. */
export interface HearthApi {
  engine: InferenceEngine;
  completion: CompletionApi;
  actions: ActionsApi;
  chat: ChatApi;
  testing: {
    /** The engine client itself (worker pid, kill for crash tests). */
    engine: WorkerEngine;
    statusBar: EngineStatusBar;
    errors: ErrorReporter;
    activationMs: number;
  };
}

/** Set by activate(), read by deactivate(): the process entry point holds the one engine. */
let running: WorkerEngine | undefined;

export function activate(context: vscode.ExtensionContext): HearthApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Hearth', { log: true });
  const engine = new WorkerEngine({
    workerPath: path.join(context.extensionPath, 'dist', 'worker.js'),
    config: readEngineConfig,
    log,
    calibrationFile: path.join(context.globalStorageUri.fsPath, 'thread-calibration.json'),
  });
  running = engine;
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
  const register = <A>(capability: (services: HearthServices) => { disposables: vscode.Disposable[]; api: A }): A => {
    const { disposables, api } = capability(services);
    context.subscriptions.push(...disposables);
    return api;
  };
  const completion = register(registerCompletion);
  const actions = register(registerActions);
  const chat = register(registerChat);
  // Disposed last: the engine may still log while it stops its worker.
  context.subscriptions.push(log);
  const activationMs = performance.now() - started;
  log.info(`Hearth activated in ${activationMs.toFixed(1)} ms; the model loads on first use`);
  return { engine, completion, actions, chat, testing: { engine, statusBar, errors, activationMs } };
}

/** VS Code waits for the returned promise: the worker exits cleanly instead of being orphaned or killed. */
export function deactivate(): Promise<void> | undefined {
  const engine = running;
  running = undefined;
  return engine?.stop();
}
