/** Hearth: Run Custom Action…: the actions from `hearth.actions.custom`, by name or from a picker. */
import * as vscode from 'vscode';
import type { Notify } from '../common/editing';
import { parseCustomActions, type CustomAction } from './customActions';
import type { ActionOutcome } from './outputs';
import type { ActionSpec } from './prompts';
import { ACTIONS_DEFAULTS, ACTIONS_SECTION } from './settings';

/** The valid custom actions; each invalid entry is logged once per read, the rest still work. */
export function readCustomActions(log: vscode.LogOutputChannel): CustomAction[] {
  const raw = vscode.workspace.getConfiguration(ACTIONS_SECTION).get<unknown>('custom', ACTIONS_DEFAULTS.custom);
  const { actions, problems } = parseCustomActions(raw);
  for (const p of problems) log.warn(p);
  return actions;
}

const OUTPUT_LABELS = { show: 'show result', insertBelow: 'insert below', replace: 'replace (diff)' } as const;

export async function runCustomAction(
  name: unknown,
  actions: CustomAction[],
  notify: Notify,
  run: (spec: ActionSpec, verb: string) => Promise<ActionOutcome>,
): Promise<ActionOutcome> {
  if (actions.length === 0) {
    const choice = await notify.info(
      'No custom actions yet. Add them to the "hearth.actions.custom" setting: a name, a prompt with {{selection}}, and an output (replace, insertBelow or show).',
      'Open Settings',
    );
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'hearth.actions.custom');
    return 'refused';
  }
  let action = typeof name === 'string' ? actions.find((a) => a.name.toLowerCase() === name.toLowerCase()) : undefined;
  if (typeof name === 'string' && !action) {
    void notify.warn(`There is no custom action named "${name}".`);
    return 'refused';
  }
  if (!action) {
    const chosen = await vscode.window.showQuickPick(
      actions.map((a) => ({ label: a.name, description: OUTPUT_LABELS[a.output], action: a })),
      { title: 'Hearth: Run Custom Action', placeHolder: 'Which action?' },
    );
    action = chosen?.action;
  }
  if (!action) return 'cancelled';
  return run({ type: 'custom', action }, action.name);
}
