/** The settings package.json contributes (for VS Code's Settings editor), to hold against the code's defaults. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

export interface SettingSchema {
  default?: unknown;
  minimum?: number;
  maximum?: number;
  scope?: string;
  items?: { properties?: Record<string, SettingSchema> };
}

interface ConfigurationSection {
  properties?: Record<string, SettingSchema>;
}

/** Every contributed setting by its full key (`hearth.completion.maxLines`). */
export function contributedSettings(): Record<string, SettingSchema> {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: ConfigurationSection | ConfigurationSection[] } };
  const sections = ([] as ConfigurationSection[]).concat(pkg.contributes.configuration);
  return Object.assign({}, ...sections.map((s) => s.properties ?? {}));
}

/** `{ key: default }` for every `<prefix>.key` setting without a further dot (a capability's own settings). */
export function packageDefaults(prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(contributedSettings())) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const name = key.slice(prefix.length + 1);
    if (!name.includes('.')) out[name] = spec.default;
  }
  return out;
}
