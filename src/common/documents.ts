/**
 * "Is this the user's document?", stated once: completions, actions and chat attach to, read and edit only
 * documents a person writes in, never output panes, the SCM input, the debug console, terminals or views.
 */

import { PROPOSAL_SCHEME } from './editing';

/** URI schemes of editor surfaces that are not the user's text. */
const NOT_USER_SCHEMES = new Set(['output', 'debug', 'vscode-scm', 'comment', 'git', 'vscode-terminal', 'search-editor', 'vscode-settings', 'walkThrough', 'vscode-chat-code-block']);
/**
 * Hearth's own read-only views: a proposal's diff and an action's result. Focus lands on them after Apply or
 * Explain, and whatever acts on "the user's document" then must still mean the file behind them.
 */
const HEARTH_VIEW_SCHEMES = new Set([PROPOSAL_SCHEME, 'hearth-result']);

export function isUserDocumentScheme(scheme: string): boolean {
  return !NOT_USER_SCHEMES.has(scheme) && !HEARTH_VIEW_SCHEMES.has(scheme);
}
