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
  const rawThreads = c.get<string | number>('threads', 'auto');
  const threads: ThreadsSetting = typeof rawThreads === 'number' && rawThreads >= 1 ? Math.floor(rawThreads) : Number(rawThreads) >= 1 ? Math.floor(Number(rawThreads)) : 'auto';
  const modelPath = c.get<string>('modelPath', '').trim();
  return {
    modelPath: modelPath ? expandHome(modelPath) : undefined,
    threads,
    contextSize: Math.max(256, c.get<number>('contextSize', defaultEngineConfig.contextSize)),
    gpu: c.get<GpuSetting>('gpu', 'auto') === 'off' ? 'off' : 'auto',
    idleUnloadMinutes: Math.max(0, c.get<number>('idleUnloadMinutes', defaultEngineConfig.idleUnloadMinutes)),
    logLevel: c.get<LogLevel>('logLevel', 'info'),
  };
}

export const ENGINE_SETTINGS = ['hearth.modelPath', 'hearth.threads', 'hearth.contextSize', 'hearth.gpu', 'hearth.idleUnloadMinutes', 'hearth.logLevel'];
