/** Custom actions from the `hearth.actions.custom` setting, validated so one bad entry does not hide the rest. */
import { DEFAULT_CUSTOM_OUTPUT } from './settings';

export type CustomOutput = 'replace' | 'insertBelow' | 'show';

export interface CustomAction {
  name: string;
  prompt: string;
  output: CustomOutput;
}

const OUTPUTS: readonly CustomOutput[] = ['replace', 'insertBelow', 'show'];

export function parseCustomActions(raw: unknown): { actions: CustomAction[]; problems: string[] } {
  const actions: CustomAction[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { actions, problems };
  if (!Array.isArray(raw)) return { actions, problems: ['hearth.actions.custom must be an array of {name, prompt, output}.'] };
  const seen = new Set<string>();
  raw.forEach((entry, index) => {
    const where = `hearth.actions.custom[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${where} is not an object.`);
      return;
    }
    const { name, prompt, output } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !name.trim()) {
      problems.push(`${where} has no name.`);
      return;
    }
    if (typeof prompt !== 'string' || !prompt.trim()) {
      problems.push(`${where} ("${name}") has no prompt.`);
      return;
    }
    const mode = output === undefined ? DEFAULT_CUSTOM_OUTPUT : output;
    if (typeof mode !== 'string' || !OUTPUTS.includes(mode as CustomOutput)) {
      problems.push(`${where} ("${name}") has output "${String(output)}"; use replace, insertBelow or show.`);
      return;
    }
    const key = name.trim().toLowerCase();
    if (seen.has(key)) {
      problems.push(`${where}: a second action named "${name}" was ignored.`);
      return;
    }
    seen.add(key);
    actions.push({ name: name.trim(), prompt, output: mode as CustomOutput });
  });
  return { actions, problems };
}
