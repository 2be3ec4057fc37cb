/** Reads the engine's settings from VS Code's configuration. */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { defaultEngineConfig, type EngineConfig } from './config';
import type { GpuSetting, LogLevel, ThreadsSetting } from '../common/protocol';

function expandHome(p: string): string {
  return p.startsWith('~/') || p === '~' ? os.homedir() + p.slice(1) : p;
}

export function readEngineConfig(): EngineConfig {
  const c = vscode.workspace.getConfiguration('hearth');
  const d = defaultEngineConfig;
  const rawThreads = c.get<string | number>('threads', d.threads);
  const threads: ThreadsSetting = typeof rawThreads === 'number' && rawThreads >= 1 ? Math.floor(rawThreads) : Number(rawThreads) >= 1 ? Math.floor(Number(rawThreads)) : 'auto';
  const modelPath = c.get<string>('modelPath', d.modelPath ?? '').trim();
  return {
    modelPath: modelPath ? expandHome(modelPath) : undefined,
    threads,
    contextSize: Math.max(256, c.get<number>('contextSize', d.contextSize)),
    gpu: c.get<GpuSetting>('gpu', d.gpu) === 'off' ? 'off' : 'auto',
    idleUnloadMinutes: Math.max(0, c.get<number>('idleUnloadMinutes', d.idleUnloadMinutes)),
    logLevel: c.get<LogLevel>('logLevel', d.logLevel),
  };
}

/** Every engine setting: the keys of its defaults, so a new one cannot be forgotten here. */
export const ENGINE_SETTINGS = Object.keys(defaultEngineConfig).map((key) => `hearth.${key}`);
