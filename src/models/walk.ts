/**
 * A bounded directory walk for model discovery: a budget of directory entries shared by every root, a depth
 * limit, no descent into symlinked directories (a link cannot lead the walk out of its root or into a loop),
 * and a regular yield to the event loop so a huge tree never blocks the extension host.
 */
import type { Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CancelledError } from '../common/errors';

/** Shared by all the walks of one discovery: the entries it may still visit. */
export interface WalkBudget {
  entriesLeft: number;
  signal?: AbortSignal;
}

export interface WalkedFile {
  /** The path as found (a symlink stays a symlink; see `resolveFile`). */
  path: string;
  /** Path segments below the root. */
  segments: readonly string[];
}

const YIELD_EVERY = 256;

/** Regular files (or symlinks to them) under `root` whose name `match` accepts, at most `maxDepth` folders deep. */
export async function* walkFiles(root: string, maxDepth: number, budget: WalkBudget, match: (name: string) => boolean): AsyncGenerator<WalkedFile> {
  const stack: Array<{ dir: string; segments: string[] }> = [{ dir: root, segments: [] }];
  let visited = 0;
  while (stack.length > 0) {
    const { dir, segments } = stack.pop()!;
    let handle;
    try {
      handle = await fs.opendir(dir);
    } catch {
      continue; // unreadable or gone: discovery lists what it can
    }
    const subdirs: typeof stack = [];
    // for-await closes the directory however the loop ends (budget, abort, or the consumer stopping).
    for await (const entry of handle) {
      if (budget.entriesLeft <= 0) return;
      budget.entriesLeft--;
      if (++visited % YIELD_EVERY === 0) await yieldToLoop(budget.signal);
      const full = path.join(dir, entry.name);
      const below = [...segments, entry.name];
      if (entry.isDirectory()) {
        if (below.length <= maxDepth) subdirs.push({ dir: full, segments: below });
      } else if (match(entry.name) && (entry.isFile() || (await isLinkToFile(entry, full)))) {
        yield { path: full, segments: below };
      }
    }
    // Reverse so folders are walked in the order they were listed.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
}

/** The real path of a file reached through symlinks, when it is a regular file (not a FIFO, device, folder). */
export async function resolveFile(file: string): Promise<{ realPath: string; size: number; mtimeMs: number } | undefined> {
  try {
    const realPath = await fs.realpath(file);
    const stat = await fs.stat(realPath);
    return stat.isFile() ? { realPath, size: stat.size, mtimeMs: stat.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** Immediate subfolders of `dir` (not symlinks), charged to the budget. */
export async function listDirs(dir: string, budget: WalkBudget): Promise<string[]> {
  const out: string[] = [];
  let handle;
  try {
    handle = await fs.opendir(dir);
  } catch {
    return out;
  }
  for await (const entry of handle) {
    if (budget.entriesLeft <= 0) break;
    budget.entriesLeft--;
    if (entry.isDirectory()) out.push(entry.name);
  }
  return out.sort();
}

async function isLinkToFile(entry: Dirent, full: string): Promise<boolean> {
  if (!entry.isSymbolicLink()) return false;
  try {
    return (await fs.stat(full)).isFile();
  } catch {
    return false;
  }
}

export function yieldToLoop(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) =>
    setImmediate(() => (signal?.aborted ? reject(new CancelledError('cancel')) : resolve())),
  );
}
