/** Engine settings as the engine needs them; read from VS Code's configuration by the glue, from flags by the bench. */
import type { GpuSetting, LogLevel, ThreadsSetting } from '../common/protocol';

export interface EngineConfig {
  modelPath: string | undefined;
  threads: ThreadsSetting;
  contextSize: number;
  gpu: GpuSetting;
  /** 0: never unload. */
  idleUnloadMinutes: number;
  logLevel: LogLevel;
}

export const defaultEngineConfig: EngineConfig = {
  modelPath: undefined,
  threads: 'auto',
  contextSize: 4096,
  gpu: 'auto',
  idleUnloadMinutes: 15,
  logLevel: 'info',
};

/** Settings whose change means the loaded model must be reloaded. */
export function loadKey(config: EngineConfig): string {
  return JSON.stringify([config.modelPath, config.threads, config.contextSize, config.gpu]);
}

/** Delay before respawning a worker that keeps dying: none for the first crash, then doubling to 30 s. */
export function respawnDelayMs(recentCrashes: number): number {
  if (recentCrashes <= 1) return 0;
  return Math.min(30_000, 1000 * 2 ** (recentCrashes - 2));
}
