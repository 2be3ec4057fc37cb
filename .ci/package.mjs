// `npm run package`: one platform-specific VSIX per desktop target, built from this (Linux) machine.
//
// Each target gets a staging folder (.cache/package/<target>) holding only what that platform runs: the
// production bundles (dist/extension.js, dist/worker.js, dist/media), media/, node-llama-cpp's JS with its
// run-time dependencies (copied from node_modules, the only package the bundles leave external), and exactly
// that platform's prebuilt llama.cpp packages, fetched from the npm registry with `npm pack` (npm caches them).
// vsce then packages the staging folder, so nothing outside it can slip into a VSIX.
//
//   node .ci/package.mjs                       all six targets
//   node .ci/package.mjs --target linux-x64    one target (repeatable)
//   node .ci/package.mjs --bundle-model PATH   one linux-x64 VSIX that carries PATH (or a catalog id whose
//                                              file is on disk) in models/, used when no model is configured
//   --out DIR                                  where the VSIXs go (default: the repository root)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS } from './targets.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const llamaVersion = JSON.parse(readFileSync(join(root, 'node_modules/node-llama-cpp/package.json'), 'utf8')).version;

function parseArgs(argv) {
  const args = { targets: [], bundleModel: undefined, out: root };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target') args.targets.push(argv[++i]);
    else if (a === '--bundle-model') args.bundleModel = argv[++i];
    else if (a === '--out') args.out = resolve(argv[++i]);
    else throw new Error(`unknown argument: ${a}`);
  }
  for (const t of args.targets) if (!TARGETS[t]) throw new Error(`unknown target ${t} (known: ${Object.keys(TARGETS).join(', ')})`);
  if (args.bundleModel && args.targets.some((t) => t !== 'linux-x64')) throw new Error('--bundle-model builds the linux-x64 VSIX only');
  if (args.targets.length === 0) args.targets = args.bundleModel ? ['linux-x64'] : Object.keys(TARGETS);
  return args;
}

// A catalog id names a file in the catalog (read from its source: this script runs before any build); the file
// is looked for where Hearth downloads (VS Code's and code-server's global storage) and in .cache/models. Only
// files already on disk are used: packaging never downloads.
function resolveModel(spec) {
  if (existsSync(spec) && statSync(spec).isFile()) return resolve(spec);
  const catalog = readFileSync(join(root, 'src/models/catalog.ts'), 'utf8');
  const entry = new RegExp(`id:\\s*'${spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'[\\s\\S]*?file:\\s*'([^']+)'`).exec(catalog);
  if (!entry) throw new Error(`--bundle-model: ${spec} is neither a file nor a catalog id`);
  const file = entry[1];
  const candidates = [
    join(homedir(), '.config/Code/User/globalStorage/hearth-dev.hearth/models', file),
    join(homedir(), '.local/share/code-server/User/globalStorage/hearth-dev.hearth/models', file),
    join(root, '.cache/models', file),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`--bundle-model: catalog model ${spec} (${file}) is not on disk; looked in:\n  ${candidates.join('\n  ')}`);
  return found;
}

// node-llama-cpp and the packages it needs at run time, resolved the way Node does (nested node_modules
// first, then each parent), as folders relative to the repository root. Optional dependencies (the binary
// packages) and peer dependencies (typescript) are not followed.
function runtimeClosure() {
  const seen = new Set();
  const visit = (dir) => {
    const rel = relative(root, dir);
    if (seen.has(rel)) return;
    seen.add(rel);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(manifest.dependencies || {})) {
      let from = dir;
      let found;
      for (;;) {
        const candidate = join(from, 'node_modules', dep);
        if (existsSync(join(candidate, 'package.json'))) { found = candidate; break; }
        if (from === root) break;
        from = dirname(from);
      }
      if (!found) throw new Error(`${manifest.name} needs ${dep}, which is not installed (run npm ci)`);
      visit(found);
    }
  };
  visit(join(root, 'node_modules/node-llama-cpp'));
  return [...seen].sort();
}

// The tarball of one binary package, fetched once into .cache/npm-binaries (npm keeps its own cache too).
function binaryPackage(name) {
  const cache = join(root, '.cache/npm-binaries');
  const dir = join(cache, `${name}-${llamaVersion}`);
  if (existsSync(join(dir, 'package.json'))) return dir;
  mkdirSync(cache, { recursive: true });
  const spec = `@node-llama-cpp/${name}@${llamaVersion}`;
  console.error(`package: fetching ${spec}`);
  const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', cache], { cwd: cache, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const tarball = join(cache, JSON.parse(out)[0].filename);
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', tmp, '--strip-components=1']);
  rmSync(tarball);
  rmSync(dir, { recursive: true, force: true });
  cpSync(tmp, dir, { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  return dir;
}

function stage(target, closure, modelFile) {
  const dir = join(root, '.cache/package', modelFile ? `${target}-bundled` : target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Only node-llama-cpp stays external in the bundles, so it is the one dependency to declare: vsce lists
  // (npm list --production) and packages what is staged under it.
  const manifest = { ...pkg, dependencies: { 'node-llama-cpp': pkg.dependencies['node-llama-cpp'] } };
  delete manifest.devDependencies;
  delete manifest.scripts;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const f of ['.vscodeignore', 'README.md', 'LICENSE', 'CHANGELOG.md']) if (existsSync(join(root, f))) cpSync(join(root, f), join(dir, f));
  cpSync(join(root, 'media'), join(dir, 'media'), { recursive: true });
  for (const f of ['extension.js', 'worker.js', 'media']) cpSync(join(root, 'dist', f), join(dir, 'dist', f), { recursive: true });
  for (const rel of closure) {
    cpSync(join(root, rel), join(dir, rel), { recursive: true, filter: (src) => !relative(join(root, rel), src).split('/').includes('node_modules') });
  }
  for (const name of TARGETS[target]) cpSync(binaryPackage(name), join(dir, 'node_modules/@node-llama-cpp', name), { recursive: true });
  if (modelFile) {
    mkdirSync(join(dir, 'models'), { recursive: true });
    cpSync(modelFile, join(dir, 'models', basename(modelFile)));
  }
  return dir;
}

const args = parseArgs(process.argv.slice(2));
const modelFile = args.bundleModel ? resolveModel(args.bundleModel) : undefined;
execFileSync(process.execPath, [join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
for (const f of ['extension.js', 'worker.js', 'media/chat.js']) {
  if (!existsSync(join(root, 'dist', f))) throw new Error(`esbuild did not write dist/${f}`);
}
const closure = runtimeClosure();
const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
mkdirSync(args.out, { recursive: true });
const built = [];
for (const target of args.targets) {
  const dir = stage(target, closure, modelFile);
  const suffix = modelFile ? `-${basename(modelFile).replace(/\.gguf$/i, '')}` : '';
  const file = join(args.out, `${pkg.name}-${target}-${pkg.version}${suffix}.vsix`);
  execFileSync(process.execPath, [vsce, 'package', '--target', target, '--allow-missing-repository', '--skip-license', '--out', file], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  built.push({ target, file: relative(process.cwd(), file), bytes: statSync(file).size });
  console.error(`package: ${relative(process.cwd(), file)} (${(statSync(file).size / 1e6).toFixed(1)} MB)`);
}
console.log(JSON.stringify(built, null, 2));
