/**
 * Whether this is a development or test build. esbuild defines HEARTH_TEST_HOOKS as true for `node esbuild.mjs` and
 * false for `--production` (the VSIX), where each hook's guard is folded to a constant and it returns before
 * reading anything: a packaged Hearth has no working test hook, whatever its environment says.
 */
declare const HEARTH_TEST_HOOKS: boolean | undefined;

export const TEST_HOOKS: boolean = typeof HEARTH_TEST_HOOKS !== 'undefined' && HEARTH_TEST_HOOKS;
