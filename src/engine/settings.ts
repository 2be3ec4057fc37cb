/** Reads the engine's settings from VS Code's configuration, per job. */
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { GpuSetting, Job, ThreadsSetting } from '../common/protocol';
import { clampContextSize, clampIdleUnloadMinutes, defaultEngineConfig, type EngineConfig, validLogLevel } from './config';
import type { RemoteTarget } from './remote/client';
import { defaultRemoteSettings as r, engineForJob, remoteTarget, type RemoteJobs, type RemoteSettings } from './remote/settings';

function expandHome(p: string): string {
  return p.startsWith('~/') || p === '~' ? os.homedir() + p.slice(1) : p;
}

/**
 * The model a job uses as the user wrote it: `hearth.models.<job>` (a file path or a catalog id), else the
 * older `hearth.modelPath`, which means "one model for both jobs" (kept so no existing setup is lost).
 */
export function configuredModel(job: Job): string | undefined {
  const c = vscode.workspace.getConfiguration('hearth');
  const own = c.get<string>(`models.${job}`, '').trim();
  const legacy = c.get<string>('modelPath', defaultEngineConfig.modelPath ?? '').trim();
  return own || legacy || undefined;
}

/**
 * The engine settings for a job. `resolve` turns a catalog id into the file it was downloaded to (a path is
 * returned as it is, with ~ expanded). `bundled` is the model the VSIX carries, used when no setting names one.
 */
export function readEngineConfig(job: Job, resolve: (model: string) => string = (m) => m, bundled?: string): EngineConfig {
  const c = vscode.workspace.getConfiguration('hearth');
  const d = defaultEngineConfig;
  const rawThreads = c.get<string | number>('threads', d.threads);
  const threads: ThreadsSetting = typeof rawThreads === 'number' && rawThreads >= 1 ? Math.floor(rawThreads) : Number(rawThreads) >= 1 ? Math.floor(Number(rawThreads)) : 'auto';
  const model = configuredModel(job);
  return {
    engine: engineForJob(c.get<string>('engine', d.engine), c.get<RemoteJobs>('remote.jobs', r.jobs), job),
    modelPath: model ? resolve(expandHome(model)) : bundled,
    threads,
    contextSize: clampContextSize(c.get<unknown>('contextSize', d.contextSize)),
    gpu: c.get<GpuSetting>('gpu', d.gpu) === 'off' ? 'off' : 'auto',
    idleUnloadMinutes: clampIdleUnloadMinutes(c.get<unknown>('idleUnloadMinutes', d.idleUnloadMinutes)),
    logLevel: validLogLevel(c.get<unknown>('logLevel', d.logLevel)),
  };
}

/** `hearth.remote.*` as written (machine-scoped: a repository cannot send your code to its server). */
export function readRemoteSettings(): RemoteSettings {
  const c = vscode.workspace.getConfiguration('hearth.remote');
  const text = (key: string) => String(c.get<unknown>(key, '') ?? '');
  return {
    jobs: c.get<RemoteJobs>('jobs', r.jobs),
    url: text('url'),
    model: text('model'),
    completion: { url: text('completion.url'), model: text('completion.model') },
    assistant: { url: text('assistant.url'), model: text('assistant.model') },
    fimTemplate: c.get('fimTemplate', r.fimTemplate),
    connectTimeoutSeconds: c.get<number>('connectTimeoutSeconds', r.connectTimeoutSeconds),
    readTimeoutSeconds: c.get<number>('readTimeoutSeconds', r.readTimeoutSeconds),
  };
}

/** The server a job's remote engine talks to (its context fallback is hearth.contextSize). */
export function readRemoteTarget(job: Job): RemoteTarget {
  const contextSize = clampContextSize(vscode.workspace.getConfiguration('hearth').get<unknown>('contextSize', defaultEngineConfig.contextSize));
  return remoteTarget(readRemoteSettings(), job, contextSize);
}

/** Every setting that changes what an engine loads or where it runs: the keys of its defaults, each job's model, the server. */
export const ENGINE_SETTINGS = [...Object.keys(defaultEngineConfig).map((key) => `hearth.${key}`), 'hearth.models', 'hearth.remote'];
