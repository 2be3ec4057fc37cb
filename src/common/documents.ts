/**
 * "Is this the user's document?", stated once: completions, actions and chat attach to, read and edit only
 * documents a person writes in, never output panes, the SCM input, the debug console, terminals or views.
 */

/** URI schemes of editor surfaces that are not the user's text. */
const NOT_USER_SCHEMES = new Set(['output', 'debug', 'vscode-scm', 'comment', 'git', 'vscode-terminal', 'search-editor', 'vscode-settings', 'walkThrough', 'vscode-chat-code-block']);

export function isUserDocumentScheme(scheme: string): boolean {
  return !NOT_USER_SCHEMES.has(scheme);
}
