/** The Transform Selection… picker: type an instruction, or pick one of the recent ones. */
import * as vscode from 'vscode';
import { instructionPicks } from './recent';

export function pickInstruction(recent: readonly string[]): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { instruction: string }>();
  pick.title = 'Hearth: Transform Selection';
  pick.placeholder = 'What should change? e.g. "convert to async/await", "make it more formal"';
  pick.matchOnDescription = false;
  const refresh = () => {
    // The typed text is always the first item, so Enter runs exactly what was typed.
    pick.items = instructionPicks(recent, pick.value).map((p) => ({
      label: p.label,
      instruction: p.instruction,
      description: p.recent ? 'recent' : undefined,
      alwaysShow: true,
    }));
  };
  refresh();
  return new Promise<string | undefined>((resolve) => {
    const subscriptions = [
      pick.onDidChangeValue(refresh),
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0]?.instruction ?? pick.value.trim();
        resolve(chosen || undefined);
        pick.hide();
      }),
      pick.onDidHide(() => {
        resolve(undefined);
        for (const s of subscriptions) s.dispose();
        pick.dispose();
      }),
    ];
    pick.show();
  });
}
