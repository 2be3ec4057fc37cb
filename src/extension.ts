/**
 * Wires Hearth together and returns. Nothing here loads a model or node-llama-cpp: the worker starts on the
 * first request that needs it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerActions, type ActionsApi } from './actions/index';
import { registerChat, type ChatApi } from './chat/index';
import type { InferenceEngine } from './common/engine';
import type { Job } from './common/protocol';
import type { HearthServices } from './common/services';
import { registerCompletion, type CompletionApi } from './completion/index';
import { registerEngineCommands } from './engine/commands';
import { ErrorReporter } from './engine/errorReporter';
import { windowNotify } from './editing/notify';
import { EditingService } from './editing/service';
import { findBundledModel } from './engine/bundledModel';
import { ENGINE_SETTINGS, readEngineConfig, readRemoteTarget } from './engine/settings';
import { InsecureServerWarning, registerRemoteCommands, RemoteKeys } from './engine/remoteGlue';
import { EngineStatusBar } from './engine/statusBar';
import { registerModels, type ModelsApi } from './models/index';
import { JobEngines } from './engine/jobEngines';

/** What `activate()` returns: each capability's API with its type; hooks only tests use sit under `testing`. */
export interface HearthApi {
  /** The engine of each job: completions, and the assistant (chat, actions, the Language Model API). */
  engines: Record<Job, InferenceEngine>;
  completion: CompletionApi;
  actions: ActionsApi;
  chat: ChatApi;
  models: ModelsApi;
  testing: {
    /** Both jobs' workers (pids, kill for crash tests, which one serves a job). */
    jobs: JobEngines;
    statusBar: EngineStatusBar;
    errors: ErrorReporter;
    /** The plain-http warnings shown (remote engine). */
    insecure: InsecureServerWarning;
    activationMs: number;
  };
}

/** Set by activate(), read by deactivate(): the process entry point holds the engines. */
let running: JobEngines | undefined;

export function activate(context: vscode.ExtensionContext): HearthApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Hearth', { log: true });
  // First: the engines' settings may name a catalog id, and the models capability knows where its download lives.
  // Its probe runs a worker only when the picker opens, long after `jobs` exists.
  const modelsRegistration = registerModels({ context, log, probe: (paths) => jobs.probe(paths) });
  context.subscriptions.push(...modelsRegistration.disposables);
  const models = modelsRegistration.api;
  // An air-gapped VSIX carries its model: used when no setting names one.
  const bundled = findBundledModel(context.extensionPath);
  if (bundled) log.info(`Model bundled with this VSIX, used when no model is set: ${bundled}`);
  const errors = new ErrorReporter(log);
  const keys = new RemoteKeys(context.secrets);
  const jobs = new JobEngines({
    workerPath: path.join(context.extensionPath, 'dist', 'worker.js'),
    config: (job) => readEngineConfig(job, models.resolve, bundled),
    log,
    calibrationFile: path.join(context.globalStorageUri.fsPath, 'thread-calibration.json'),
    notify: (message) => errors.notice(message),
    remote: readRemoteTarget,
    apiKey: (origin) => keys.get(origin),
  });
  const insecure = new InsecureServerWarning(log);
  insecure.check();
  running = jobs;
  const statusBar = new EngineStatusBar(jobs);
  context.subscriptions.push(
    jobs,
    statusBar,
    ...registerEngineCommands(jobs, log, errors),
    ...registerRemoteCommands(keys, log),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!ENGINE_SETTINGS.some((s) => e.affectsConfiguration(s))) return;
      jobs.configurationChanged();
      insecure.check();
    }),
  );
  const reportError: HearthServices['reportError'] = (error, options) => errors.report(error, options);
  // Before the capabilities: both the actions and the chat propose through it.
  const editing = new EditingService(windowNotify((error) => reportError(error)));
  context.subscriptions.push(editing);
  // Each capability gets the engine of its job.
  const register = <A>(job: Job, capability: (services: HearthServices) => { disposables: vscode.Disposable[]; api: A }): A => {
    const services: HearthServices = { context, engine: jobs.engine(job), log, editing, reportError };
    const { disposables, api } = capability(services);
    context.subscriptions.push(...disposables);
    return api;
  };
  const completion = register('completion', registerCompletion);
  const actions = register('assistant', registerActions);
  const chat = register('assistant', registerChat);
  // Disposed last: the engine may still log while it stops its worker.
  context.subscriptions.push(log);
  const activationMs = performance.now() - started;
  log.info(`Hearth activated in ${activationMs.toFixed(1)} ms; the model loads on first use`);
  const engines = { completion: jobs.engine('completion'), assistant: jobs.engine('assistant') };
  return { engines, completion, actions, chat, models, testing: { jobs, statusBar, errors, insecure, activationMs } };
}

/** VS Code waits for the returned promise: the worker exits cleanly instead of being orphaned or killed. */
export function deactivate(): Promise<void> | undefined {
  const stopping = running;
  running = undefined;
  return stopping?.stop();
}
