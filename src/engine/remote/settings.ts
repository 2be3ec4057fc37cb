/**
 * The remote engine's settings as values: defaults and bounds stated once (package.json repeats them and a unit
 * test holds the two together), and the per-job reading rules. The glue reads VS Code's configuration into
 * `RemoteSettings`; the bench and tests build one directly.
 */
import type { Job } from '../../common/protocol';
import type { EngineKind } from '../config';
import type { FimSetting } from './fim';
import type { RemoteTarget } from './client';

export type RemoteJobs = 'both' | 'completion' | 'assistant';

/** `hearth.remote.*` as the user wrote them. */
export interface RemoteSettings {
  jobs: RemoteJobs;
  url: string;
  model: string;
  /** Per job: another server or model for that job (empty: the shared one). */
  completion: { url: string; model: string };
  assistant: { url: string; model: string };
  fimTemplate: FimSetting;
  connectTimeoutSeconds: number;
  readTimeoutSeconds: number;
}

export const defaultRemoteSettings: RemoteSettings = {
  jobs: 'both',
  url: '',
  model: '',
  completion: { url: '', model: '' },
  assistant: { url: '', model: '' },
  fimTemplate: 'auto',
  connectTimeoutSeconds: 5,
  // Generous: a large prompt on a busy shared server evaluates before the first byte comes back.
  readTimeoutSeconds: 120,
};

export const REMOTE_BOUNDS = {
  connectTimeoutSeconds: { minimum: 1, maximum: 120 },
  readTimeoutSeconds: { minimum: 5, maximum: 3600 },
} as const;

const FIM_SETTINGS: readonly FimSetting[] = ['auto', 'none', 'qwen', 'starcoder', 'codellama', 'deepseek', 'codestral'];

function clamp(value: unknown, key: keyof typeof REMOTE_BOUNDS): number {
  const { minimum, maximum } = REMOTE_BOUNDS[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) return defaultRemoteSettings[key];
  return Math.min(maximum, Math.max(minimum, value));
}

export function validFimSetting(value: unknown): FimSetting {
  return FIM_SETTINGS.includes(value as FimSetting) ? (value as FimSetting) : 'auto';
}

/** Which engine serves `job`: hearth.engine, narrowed by hearth.remote.jobs (one job remote, the other embedded). */
export function engineForJob(engine: unknown, jobs: RemoteJobs, job: Job): EngineKind {
  if (engine !== 'remote') return 'embedded';
  return jobs === 'both' || jobs === job ? 'remote' : 'embedded';
}

/** The server, model and timeouts for a job: its own url/model where set, else the shared ones. */
export function remoteTarget(settings: RemoteSettings, job: Job, contextSize: number): RemoteTarget {
  const own = settings[job];
  return {
    url: (own.url.trim() || settings.url).trim(),
    model: (own.model.trim() || settings.model).trim(),
    fim: validFimSetting(settings.fimTemplate),
    connectTimeoutMs: clamp(settings.connectTimeoutSeconds, 'connectTimeoutSeconds') * 1000,
    readTimeoutMs: clamp(settings.readTimeoutSeconds, 'readTimeoutSeconds') * 1000,
    contextSize,
  };
}
