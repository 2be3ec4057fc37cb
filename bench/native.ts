/**
 * llama.cpp's own llama-bench, built from the sources inside the pinned node-llama-cpp (bench/native/build.sh,
 * cached), run on the same model in the same benchmark run: the reference every Hearth figure is divided by.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export interface NativeResult {
  threads: number;
  /** Tokens of context already in the cache when the test starts. */
  depth: number;
  test: 'pp512' | 'tg64';
  tps: number;
}

interface LlamaBenchRow {
  n_prompt: number;
  n_gen: number;
  n_depth?: number;
  n_threads: number;
  avg_ts: number;
}

export function nativeBin(repoRoot: string): string {
  const out = execFileSync('bash', [path.join(repoRoot, 'bench', 'native', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop()!;
}

export function llamaBench(repoRoot: string, modelPath: string, threads: number[], depths: number[], repetitions = 3): NativeResult[] {
  const bin = nativeBin(repoRoot);
  const out = execFileSync(path.join(bin, 'llama-bench'), [
    '-m', modelPath, '-t', threads.join(','), '-p', '512', '-n', '64', '-d', depths.join(','),
    '-r', String(repetitions), '-ngl', '0', '-o', 'json',
  ], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = JSON.parse(out) as LlamaBenchRow[];
  return rows.map((r) => ({
    threads: r.n_threads,
    depth: r.n_depth ?? 0,
    test: r.n_gen > 0 ? 'tg64' : 'pp512',
    tps: r.avg_ts,
  }));
}
