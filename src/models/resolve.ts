/**
 * Catalog ids in settings: `hearth.models.<job>` may name a catalog entry instead of a path; it means the file
 * Hearth downloaded for that entry into its global storage.
 */
import * as path from 'node:path';
import { CATALOG, type CatalogEntry } from './catalog';

export function modelsDir(globalStorage: string): string {
  return path.join(globalStorage, 'models');
}

export function catalogEntry(id: string, catalog: readonly CatalogEntry[] = CATALOG): CatalogEntry | undefined {
  return catalog.find((e) => e.id === id);
}

/** Where a catalog entry lives once downloaded. */
export function downloadedPath(entry: CatalogEntry, globalStorage: string): string {
  return path.join(modelsDir(globalStorage), entry.file);
}

/** A setting's value as a file path: a catalog id becomes its download's path; anything else is a path already. */
export function resolveModelSetting(value: string, globalStorage: string, catalog: readonly CatalogEntry[] = CATALOG): string {
  const entry = catalogEntry(value, catalog);
  return entry ? downloadedPath(entry, globalStorage) : value;
}
