/**
 * The `hearth.models.*` and `hearth.network.*` settings, with their defaults stated once. (`hearth.models.completion`
 * and `hearth.models.assistant` are the engine's: src/engine/settings.ts reads them.)
 */
import { HUGGING_FACE_BASE_URL } from './modelUrl';

export interface ModelsSettings {
  /** Extra folders searched for .gguf and .llamafile files. */
  folders: string[];
  /** Where catalog downloads come from: the public hub, or a company's mirror with the same layout. */
  downloadBaseUrl: string;
  /** false: no network access at all; only files already on disk are offered. */
  allowDownloads: boolean;
}

export const MODELS_DEFAULTS: Readonly<ModelsSettings> = {
  folders: [],
  downloadBaseUrl: HUGGING_FACE_BASE_URL,
  allowDownloads: true,
};

/** The full setting key of each field, as package.json contributes it. */
export const MODELS_SETTING_KEYS: Readonly<Record<keyof ModelsSettings, string>> = {
  folders: 'hearth.models.folders',
  downloadBaseUrl: 'hearth.models.downloadBaseUrl',
  allowDownloads: 'hearth.network.allowDownloads',
};

export type SettingReader = <T>(key: string, fallback: T) => T;

export function readModelsSettings(read: SettingReader): ModelsSettings {
  const folders = read<unknown>(MODELS_SETTING_KEYS.folders, MODELS_DEFAULTS.folders);
  const base = read<unknown>(MODELS_SETTING_KEYS.downloadBaseUrl, MODELS_DEFAULTS.downloadBaseUrl);
  return {
    folders: Array.isArray(folders) ? folders.filter((f): f is string => typeof f === 'string' && f.trim() !== '') : [],
    downloadBaseUrl: typeof base === 'string' && /^https?:\/\//.test(base.trim()) ? base.trim() : MODELS_DEFAULTS.downloadBaseUrl,
    allowDownloads: read<unknown>(MODELS_SETTING_KEYS.allowDownloads, MODELS_DEFAULTS.allowDownloads) !== false,
  };
}
