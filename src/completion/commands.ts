/** The completion commands: on/off globally and per language, snooze, the status bar menu, and "accepted". */
import * as vscode from 'vscode';
import type { CompletionConfiguration } from './configuration';
import type { CompletionController } from './controller';
import { menuEntries, snoozeChoices, type MenuAction } from './pickers';
import { languageEnabled } from './settings';
import type { Snooze } from './snooze';
import { snapshotOf } from './vscodeDocument';

export interface CommandDeps {
  controller: CompletionController;
  config: CompletionConfiguration;
  snooze: Snooze;
  isActive: (document: vscode.TextDocument) => boolean;
}

export function registerCompletionCommands({ controller, config, snooze, isActive }: CommandDeps): vscode.Disposable[] {
  const toggle = async () => {
    await config.update('enabled', !config.current.enabled);
  };
  const toggleLanguage = async (languageId?: string) => {
    const lang = typeof languageId === 'string' ? languageId : vscode.window.activeTextEditor?.document.languageId;
    if (!lang) {
      void vscode.window.showInformationMessage('Open a file to turn Hearth completions on or off for its language.');
      return;
    }
    const settings = config.current;
    await config.update('languages', { ...settings.languages, [lang]: !languageEnabled(settings, lang) });
  };
  const pickSnooze = async (minutes?: number) => {
    let m = typeof minutes === 'number' ? minutes : undefined;
    if (m === undefined) {
      const pick = await vscode.window.showQuickPick(snoozeChoices(snooze.until !== undefined), { placeHolder: 'Snooze Hearth completions for…' });
      if (!pick) return;
      m = pick.minutes;
    }
    snooze.snoozeFor(m);
  };
  const menu = async () => {
    const lang = vscode.window.activeTextEditor?.document.languageId;
    const settings = config.current;
    const run: Record<MenuAction, () => unknown> = {
      toggle,
      toggleLanguage: () => toggleLanguage(lang),
      snooze: () => pickSnooze(),
      showLog: () => vscode.commands.executeCommand('hearth.showLog'),
    };
    const entries = menuEntries({
      enabled: settings.enabled,
      snoozed: snooze.until !== undefined,
      language: lang ? { id: lang, enabled: languageEnabled(settings, lang) } : undefined,
    });
    const pick = await vscode.window.showQuickPick(entries, { placeHolder: 'Hearth completions' });
    if (pick) await run[pick.action]();
  };
  const accepted = async () => {
    controller.counters.accepted++;
    if (!config.current.precomputeAfterAccept) return;
    // The accepted text is in the document once this runs; ask for what comes next before the user types it.
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isActive(editor.document)) return;
    await controller.provide(snapshotOf(editor.document, editor.selection.active), { explicit: true, background: true });
  };
  return [
    vscode.commands.registerCommand('hearth.completion.toggle', toggle),
    vscode.commands.registerCommand('hearth.completion.toggleLanguage', toggleLanguage),
    vscode.commands.registerCommand('hearth.completion.snooze', pickSnooze),
    vscode.commands.registerCommand('hearth.completion.menu', menu),
    vscode.commands.registerCommand('hearth.completion.accepted', accepted),
  ];
}
