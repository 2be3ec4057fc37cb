/**
 * Finds GGUF models already on this machine so Hearth can use them in place instead of downloading again:
 * Hugging Face's hub cache, Ollama's store, LM Studio's folder, llamafiles and folders the user lists. Each file
 * found is described from its header (ggufFacts); a broken one is listed with its error, never thrown. The
 * search is bounded (entries visited, depth, no symlinked folders) and yields as it goes.
 */
import { CancelledError, isCancelled } from '../common/errors';
import { ggufFacts, type GgufFacts } from '../common/gguf/ggufFacts';
import { readGgufHeader } from '../common/gguf/ggufHeader';
import { findEmbeddedGguf } from './llamafile';
import {
  folderCandidates, huggingFaceCandidates, lmStudioCandidates, ollamaCandidates, storeRoots,
  type Candidate, type ModelSource,
} from './stores';
import { resolveFile, type WalkBudget } from './walk';

export type { ModelSource } from './stores';

export interface DiscoveredModel {
  /**
   * The file to load, symlinks resolved (a Hugging Face snapshot entry becomes its blob). For a llamafile, the
   * llamafile itself: `embedded` says where its GGUF lies, and `extractLlamafile` copies it out for loading.
   */
  path: string;
  source: ModelSource;
  /** What to show: `org/repo/file.gguf`, Ollama's `model:tag`, a path below the folder the user listed. */
  displayName: string;
  /** The model's name in its store (Hugging Face repo id, Ollama `model:tag`, LM Studio `publisher/repo`). */
  repo?: string;
  /** Bytes of the model (for a llamafile, of its embedded GGUF). */
  sizeBytes: number;
  embedded?: { start: number; length: number };
  facts?: GgufFacts;
  /** Why the file cannot be used (not GGUF, truncated, …); `facts` is then absent. */
  error?: string;
}

export interface DiscoverOptions {
  env: NodeJS.ProcessEnv;
  home: string;
  /** Folders the user listed (searched for .gguf and .llamafile files). */
  extraFolders: readonly string[];
  signal?: AbortSignal;
  /** Directory entries visited at most, over all stores together (default 20,000). */
  maxEntries?: number;
  /** Folder levels searched below a root the user listed, or below a snapshot or store folder (default 6). */
  maxDepth?: number;
}

export const DEFAULT_MAX_ENTRIES = 20_000;
export const DEFAULT_MAX_DEPTH = 6;
/** Headers read at once: enough to hide disk latency, few enough not to compete with the editor. */
const HEADER_READS_AT_ONCE = 4;

/** Every model found, in store order (Hugging Face, Ollama, LM Studio, folders), each file once. */
export async function discoverModels(options: DiscoverOptions): Promise<DiscoveredModel[]> {
  const budget: WalkBudget = { entriesLeft: options.maxEntries ?? DEFAULT_MAX_ENTRIES, signal: options.signal };
  const depth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const roots = storeRoots(options.env, options.home);
  const stores: Array<() => AsyncGenerator<Candidate>> = [
    () => huggingFaceCandidates(roots.huggingface, depth, budget),
    () => ollamaCandidates(roots.ollama, budget),
    ...roots.lmstudio.map((root) => () => lmStudioCandidates(root, depth, budget)),
    ...options.extraFolders.map((root) => () => folderCandidates(root, depth, budget)),
  ];
  if (options.signal?.aborted) throw new CancelledError('cancel');
  const seen = new Set<string>();
  const found: Array<{ candidate: Candidate; realPath: string; size: number }> = [];
  for (const store of stores) {
    try {
      for await (const candidate of store()) {
        if (options.signal?.aborted) throw new CancelledError('cancel');
        const file = await resolveFile(candidate.path);
        // The same file reached twice (a listed folder inside a store, two snapshots of one blob): keep the first.
        if (!file || seen.has(file.realPath)) continue;
        seen.add(file.realPath);
        found.push({ candidate, realPath: file.realPath, size: file.size });
      }
    } catch (error) {
      if (isCancelled(error)) throw error;
      // One unreadable store does not hide the others.
    }
  }
  const models = await mapLimited(found, HEADER_READS_AT_ONCE, (f) => describe(f.candidate, f.realPath, f.size, options.signal));
  return models.filter((m) => m.facts?.architecture !== 'clip'); // vision projectors that were not named mmproj
}

async function describe(candidate: Candidate, realPath: string, size: number, signal: AbortSignal | undefined): Promise<DiscoveredModel> {
  const model: DiscoveredModel = { path: realPath, source: candidate.source, displayName: candidate.displayName, sizeBytes: size };
  if (candidate.repo) model.repo = candidate.repo;
  try {
    let range: { start: number; length: number } | undefined;
    if (candidate.source === 'llamafile') {
      const embedded = await findEmbeddedGguf(realPath);
      range = { start: embedded.start, length: embedded.length };
      model.embedded = range;
      model.sizeBytes = embedded.length;
    }
    model.facts = ggufFacts(await readGgufHeader(realPath, { signal, range }));
  } catch (error) {
    if (isCancelled(error)) throw error;
    model.error = error instanceof Error ? error.message : String(error);
  }
  return model;
}

/** `fn` over `items` with at most `limit` running at once, results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
