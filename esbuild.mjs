// Builds every bundle Hearth ships or tests: the extension host side (CommonJS, as VS Code loads it), the
// inference worker (its own file, forked on first need), the webview scripts (browser IIFE), and the
// tests and benchmarks (one bundle per file so mocha can load them without a TypeScript loader).
// node-llama-cpp stays external: it is ESM with native binaries and is loaded at run time by `import()`.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// --clean empties dist/ first (CI, packaging); without it, parallel builds and running tests keep their files.
const clean = process.argv.includes('--clean') || production;

function walk(dir, match) {
  let out = [];
  let names = [];
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out = out.concat(walk(full, match));
    else if (match(full)) out.push(full);
  }
  return out;
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'node20',
};
const nodeExternal = ['vscode', 'node-llama-cpp', 'mocha', 'playwright-core', '@vscode/test-electron'];

const builds = [
  { ...common, platform: 'node', format: 'cjs', entryPoints: { extension: 'src/extension.ts', worker: 'src/worker/main.ts' }, outdir: 'dist', external: nodeExternal },
  {
    ...common, platform: 'browser', format: 'iife', target: 'es2022',
    // The webview's source lives with its capability (src/chat/webview); media/ holds only assets. The bundle and
    // the stylesheet it imports are written as dist/media/chat.js and chat.css, which the webview shell loads.
    entryPoints: { chat: 'src/chat/webview/index.ts' },
    outdir: 'dist/media',
    loader: { '.css': 'css' },
  },
];
if (!production) {
  const testEntries = walk('test', (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes(`${'fixtures'}`))
    .concat(walk('bench', (f) => f.endsWith('.ts') && !f.endsWith('.d.ts')));
  builds.push({
    ...common, platform: 'node', format: 'cjs', outbase: '.', outdir: 'dist',
    entryPoints: testEntries, external: nodeExternal,
  });
}

if (clean) rmSync('dist', { recursive: true, force: true });
const started = Date.now();
if (watch) {
  for (const b of builds) {
    if (Object.keys(b.entryPoints).length === 0) continue;
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
  console.error('esbuild: watching for changes');
} else {
  await Promise.all(builds.filter((b) => Object.keys(b.entryPoints).length > 0).map((b) => esbuild.build(b)));
  console.error(`esbuild: built in ${Date.now() - started} ms`);
}
