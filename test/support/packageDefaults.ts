/** The defaults package.json declares for VS Code's Settings editor, to hold against the code's defaults. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

interface ConfigurationSection {
  properties: Record<string, { default?: unknown }>;
}

/** `{ key: default }` for every `<prefix>.key` setting without a further dot (a capability's own settings). */
export function packageDefaults(prefix: string): Record<string, unknown> {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: ConfigurationSection | ConfigurationSection[] } };
  const sections = ([] as ConfigurationSection[]).concat(pkg.contributes.configuration);
  const out: Record<string, unknown> = {};
  for (const section of sections) {
    for (const [key, spec] of Object.entries(section.properties)) {
      if (!key.startsWith(`${prefix}.`)) continue;
      const name = key.slice(prefix.length + 1);
      if (!name.includes('.')) out[name] = spec.default;
    }
  }
  return out;
}
