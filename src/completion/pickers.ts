/**
 * What the completion menu (the status bar item's click) and the snooze picker offer, from the state they are
 * opened in. No `vscode` here; commands.ts shows them and runs the picked action.
 */

export interface SnoozeChoice {
  label: string;
  /** 0: resume now. */
  minutes: number;
}

export function snoozeChoices(snoozed: boolean): SnoozeChoice[] {
  return [
    ...(snoozed ? [{ label: 'Resume now', minutes: 0 }] : []),
    { label: '5 minutes', minutes: 5 }, { label: '15 minutes', minutes: 15 }, { label: '30 minutes', minutes: 30 }, { label: '1 hour', minutes: 60 },
  ];
}

export type MenuAction = 'toggle' | 'toggleLanguage' | 'snooze' | 'showLog';

export interface MenuState {
  enabled: boolean;
  snoozed: boolean;
  /** The active editor's language and whether completions are on for it; absent without an editor. */
  language?: { id: string; enabled: boolean };
}

export function menuEntries(state: MenuState): Array<{ label: string; action: MenuAction }> {
  const { language } = state;
  return [
    { label: state.enabled ? 'Turn completions off' : 'Turn completions on', action: 'toggle' },
    ...(language ? [{ label: `${language.enabled ? 'Turn off' : 'Turn on'} for ${language.id}`, action: 'toggleLanguage' as const }] : []),
    { label: state.snoozed ? 'Snooze or resume…' : 'Snooze…', action: 'snooze' },
    { label: 'Show log', action: 'showLog' },
  ];
}
