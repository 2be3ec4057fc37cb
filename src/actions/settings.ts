/**
 * The `hearth.actions.*` settings, each default stated once. package.json repeats them for the Settings UI;
 * test/unit/actions-settings.test.ts fails when the two disagree. No `vscode` here: the glue reads the section.
 */
import type { CustomOutput } from './customActions';

export const ACTIONS_SECTION = 'hearth.actions';

/** Each setting's default, by its key within the section. */
export const ACTIONS_DEFAULTS = Object.freeze({
  /** `hearth.actions.custom`: the user's own actions, none until they add some. */
  custom: Object.freeze([]) as readonly unknown[],
});

/** The output of a custom action whose entry names none (`hearth.actions.custom[].output`). */
export const DEFAULT_CUSTOM_OUTPUT: CustomOutput = 'show';
