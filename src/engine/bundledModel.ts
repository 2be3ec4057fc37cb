/**
 * The model an air-gapped VSIX carries (`npm run package -- --bundle-model`): a GGUF file in the extension's
 * own `models/` folder, used when no model setting names one, so such a VSIX works with no settings at all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The first `.gguf` file (by name) in `<extensionPath>/models`, or undefined when the folder has none. */
export function findBundledModel(extensionPath: string): string | undefined {
  const dir = path.join(extensionPath, 'models');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return undefined;
  }
  const model = names.filter((n) => n.toLowerCase().endsWith('.gguf')).sort()[0];
  return model ? path.join(dir, model) : undefined;
}
