/** Engine settings as the engine needs them; read from VS Code's configuration by the glue, from flags by the bench. */
import type { GpuSetting, LogLevel, ThreadsSetting } from '../common/protocol';

export type EngineKind = 'embedded' | 'remote';

export interface EngineConfig {
  /** `embedded`: Hearth's own worker runs the model; `remote`: a server does (hearth.engine, hearth.remote.jobs). */
  engine: EngineKind;
  modelPath: string | undefined;
  threads: ThreadsSetting;
  contextSize: number;
  gpu: GpuSetting;
  /** 0: never unload. */
  idleUnloadMinutes: number;
  logLevel: LogLevel;
}

export const defaultEngineConfig: EngineConfig = {
  engine: 'embedded',
  modelPath: undefined,
  threads: 'auto',
  contextSize: 4096,
  gpu: 'auto',
  idleUnloadMinutes: 15,
  logLevel: 'info',
};

/**
 * The bounds of the engine's numeric settings, stated once: package.json repeats them as `minimum`/`maximum` and
 * a unit test holds the two together. Clamped where they are read, because a hand-edited settings file is not
 * checked by VS Code. A day is the longest idle unload: beyond 2^31-1 ms (~35,791 minutes) setTimeout fires at once.
 */
export const ENGINE_BOUNDS = {
  contextSize: { minimum: 256, maximum: 131072 },
  idleUnloadMinutes: { minimum: 0, maximum: 24 * 60 },
} as const;

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export function clampContextSize(value: unknown): number {
  const { minimum, maximum } = ENGINE_BOUNDS.contextSize;
  if (typeof value !== 'number' || !Number.isFinite(value)) return defaultEngineConfig.contextSize;
  return Math.round(Math.min(maximum, Math.max(minimum, value)));
}

/** 0 (or less) keeps the model loaded; anything else is held to [1 minute, a day], so a model is never unloaded after every request. */
export function clampIdleUnloadMinutes(value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) return defaultEngineConfig.idleUnloadMinutes;
  if (value <= 0) return 0;
  return Math.min(ENGINE_BOUNDS.idleUnloadMinutes.maximum, Math.max(1, value));
}

export function validLogLevel(value: unknown): LogLevel {
  return LOG_LEVELS.includes(value as LogLevel) ? (value as LogLevel) : defaultEngineConfig.logLevel;
}

/** Settings whose change means the loaded model must be reloaded. */
export function loadKey(config: EngineConfig): string {
  return JSON.stringify([config.modelPath, config.threads, config.contextSize, config.gpu]);
}

/** Delay before respawning a worker that keeps dying: none for the first crash, then doubling to 30 s. */
export function respawnDelayMs(recentCrashes: number): number {
  if (recentCrashes <= 1) return 0;
  return Math.min(30_000, 1000 * 2 ** (recentCrashes - 2));
}
