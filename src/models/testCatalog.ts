/**
 * The catalog a UI test serves from its local HTTP server. An end-to-end test drives the workbench from another
 * process and cannot call `HearthApi.models.testing.setCatalog`, so it names a JSON file of catalog entries in
 * HEARTH_TEST_CATALOG before VS Code starts. Read only in development builds (TEST_HOOKS); the VSIX ignores it.
 */
import * as fs from 'node:fs';
import { TEST_HOOKS } from '../common/testHooks';
import type { CatalogEntry } from './catalog';
import { validateCatalog } from './catalogSchema';

/** The entries in the file HEARTH_TEST_CATALOG names, or undefined without one; a file that is not a valid catalog throws. */
export function testCatalogFromEnvironment(env: NodeJS.ProcessEnv): CatalogEntry[] | undefined {
  if (!TEST_HOOKS) return undefined;
  const file = env.HEARTH_TEST_CATALOG;
  if (!file) return undefined;
  const entries: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(entries)) throw new Error(`${file} must hold an array of catalog entries`);
  const problems = validateCatalog(entries);
  if (problems.length) throw new Error(`${file} is not a valid catalog: ${problems.join('; ')}`);
  return entries as CatalogEntry[];
}
