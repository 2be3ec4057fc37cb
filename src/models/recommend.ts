/**
 * Orders the catalog for a job the way the Choose Model picker shows it: what fits this machine first, then
 * what is tight, then what does not fit; within each, the better model first. The default is the best model
 * that fits; when nothing fits comfortably, the smallest tight one (it may load once other programs close).
 */
import { CATALOG, type CatalogEntry, type ModelJob } from './catalog';
import type { Fit, FitVerdict } from './fit';

export interface RankedEntry {
  entry: CatalogEntry;
  fit: Fit;
}

export interface Recommendation {
  ranked: RankedEntry[];
  /** The entry to preselect; undefined when none fits even tightly. */
  default?: CatalogEntry;
}

const VERDICT_ORDER: Record<FitVerdict, number> = { fits: 0, tight: 1, noFit: 2 };

/** `fitFn` judges one entry (the caller estimates its memory need, e.g. from its size and context). */
export function recommended(job: ModelJob, fitFn: (entry: CatalogEntry) => Fit, catalog: readonly CatalogEntry[] = CATALOG): Recommendation {
  const ranked = catalog
    .filter((entry) => entry.jobs.includes(job))
    .map((entry) => ({ entry, fit: fitFn(entry) }))
    .sort((a, b) => VERDICT_ORDER[a.fit.verdict] - VERDICT_ORDER[b.fit.verdict] || b.entry.quality - a.entry.quality || a.entry.sizeBytes - b.entry.sizeBytes);
  const best = ranked.find((r) => r.fit.verdict === 'fits');
  const smallestTight = ranked.filter((r) => r.fit.verdict === 'tight').sort((a, b) => a.entry.sizeBytes - b.entry.sizeBytes)[0];
  return { ranked, default: (best ?? smallestTight)?.entry };
}
