/**
 * Generates src/common/gguf/architectures.ts: the model architectures the llama.cpp bundled with node-llama-cpp
 * knows, taken from its LLM_ARCH_NAMES table. node-llama-cpp ships those sources only as a git bundle, so the
 * list is generated once and checked in; a unit test regenerates it and fails when the two differ (after a
 * node-llama-cpp upgrade). Regenerate: `node esbuild.mjs && node dist/test/support/architectures.js`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './paths';

export const architecturesModulePath = path.join(repoRoot, 'src', 'common', 'gguf', 'architectures.ts');
const bundlePath = path.join(repoRoot, 'node_modules', 'node-llama-cpp', 'llama', 'gitRelease.bundle');
/** Names llama.cpp lists but cannot run: "clip" is a placeholder for llama-quantize, "(unknown)" the fallback. */
const NOT_MODELS = new Set(['clip', '(unknown)']);

/** src/llama-arch.cpp as node-llama-cpp bundles it. */
export function bundledLlamaArchSource(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-llama-src-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--bare', bundlePath, dir], { stdio: 'ignore' });
    return execFileSync('git', ['--git-dir', dir, 'show', 'HEAD:src/llama-arch.cpp'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The architecture names in LLM_ARCH_NAMES, in table order, without the entries that are not models. */
export function architectureNames(source: string): string[] {
  const start = source.indexOf('LLM_ARCH_NAMES');
  const end = source.indexOf('};', start);
  if (start < 0 || end < 0) throw new Error('LLM_ARCH_NAMES not found in llama-arch.cpp');
  const names = [...source.slice(start, end).matchAll(/\{\s*LLM_ARCH_\w+\s*,\s*"([^"]+)"\s*\}/g)].map((m) => m[1]);
  if (names.length < 50) throw new Error(`only ${names.length} architectures found in llama-arch.cpp: the table format changed`);
  return names.filter((n) => !NOT_MODELS.has(n));
}

export function architecturesModule(names: readonly string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const n of names) {
    const item = `'${n}',`;
    if (line.length + item.length + 1 > 110) {
      lines.push(`  ${line.trimEnd()}`);
      line = '';
    }
    line += `${item} `;
  }
  if (line) lines.push(`  ${line.trimEnd()}`);
  return [
    '/**',
    ' * The model architectures (general.architecture) the llama.cpp bundled with node-llama-cpp can load. Generated',
    ' * from its src/llama-arch.cpp by test/support/architectures.ts; a unit test fails when they drift apart.',
    ' */',
    'export const LLAMA_ARCHITECTURES: ReadonlySet<string> = new Set([',
    ...lines,
    ']);',
    '',
  ].join('\n');
}

if (require.main === module) {
  const names = architectureNames(bundledLlamaArchSource());
  fs.writeFileSync(architecturesModulePath, architecturesModule(names));
  console.log(`wrote ${names.length} architectures to ${path.relative(repoRoot, architecturesModulePath)}`);
}
