/**
 * Whether this is a development or test build. esbuild defines HEARTH_TEST_HOOKS as true for `node esbuild.mjs` and
 * false for `--production` (the VSIX), where the minifier then drops every branch behind it: a packaged Hearth
 * has no test hooks at all, whatever its environment says.
 */
declare const HEARTH_TEST_HOOKS: boolean | undefined;

export const TEST_HOOKS: boolean = typeof HEARTH_TEST_HOOKS !== 'undefined' && HEARTH_TEST_HOOKS;
