// Opens every VSIX given (default: the *.vsix files in the repository root) and checks that it holds what
// its target platform runs and nothing else: the extension bundle, the worker, node-llama-cpp's JS, exactly
// the node-llama-cpp binary packages for its target with every native file built for that platform's format
// and CPU (read from its header), and no sources, tests, maps or other platforms' binaries. Prints the size
// of each as JSON; exits non-zero on any violation.
//
//   node .ci/check-vsix.mjs [file.vsix …]
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { NATIVE, TARGETS } from './targets.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// A VSIX is a zip: the central directory (found from the end record) lists every entry and where its data is.
function readZip(buf) {
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`broken central directory at entry ${n}`);
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    at += 46 + nameLen + extraLen + commentLen;
    const data = () => {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(start, start + compressed);
      if (method === 0) return raw;
      if (method === 8) return inflateRawSync(raw);
      throw new Error(`${name}: unsupported compression method ${method}`);
    };
    entries.push({ name, size, compressed, data });
  }
  return entries;
}

// Format and CPU of a native file from its first bytes; undefined when it is not native code.
export function nativeKind(b) {
  if (b.length < 64) return undefined;
  if (b.readUInt32BE(0) === 0x7f454c46) return { format: 'elf', cpu: b[5] === 2 ? b.readUInt16BE(18) : b.readUInt16LE(18) };
  const magic = b.readUInt32LE(0);
  if (magic === 0xfeedfacf || magic === 0xfeedface) return { format: 'macho', cpu: b.readUInt32LE(4) };
  // A universal (fat) Mach-O holds several CPUs: reported as such, never the single CPU a target expects.
  if (b.readUInt32BE(0) === 0xcafebabe && b.readUInt32BE(4) < 20) return { format: 'macho', cpu: 'universal' };
  if (b.readUInt16LE(0) === 0x5a4d) {
    const pe = b.readUInt32LE(0x3c);
    if (pe + 6 <= b.length && b.readUInt32LE(pe) === 0x00004550) return { format: 'pe', cpu: b.readUInt16LE(pe + 4) };
  }
  return undefined;
}

const REQUIRED = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/worker.js',
  'extension/dist/media/chat.js',
  'extension/node_modules/node-llama-cpp/package.json',
  'extension/node_modules/node-llama-cpp/dist/index.js',
];
const FORBIDDEN = [
  [/\.(ts|mts|cts|tsx)$/, 'a TypeScript source or declaration'],
  [/\.map$/, 'a source map'],
  [/\.(h|hh|hpp|c|cc|cpp|gyp|gypi)$/, 'a C/C++ source or build file'],
  [/^extension\/(src|test|bench|\.ci|\.cache|\.tools|\.test-run)\//, 'a repository folder that never ships'],
  [/^extension\/dist\/(test|bench)\//, 'a test or benchmark bundle'],
  [/^extension\/node_modules\/node-llama-cpp\/llama\/(?!binariesGithubRelease\.json$|llama\.cpp\.info\.json$)/, "node-llama-cpp's llama.cpp sources"],
  [/\.(test|spec)\.[cm]?js$/, 'a test file'],
  [/\.vsix$/, 'a VSIX inside a VSIX'],
];

function check(file) {
  const problems = [];
  const entries = readZip(readFileSync(file));
  const names = new Set(entries.map((e) => e.name));
  const manifest = entries.find((e) => e.name === 'extension.vsixmanifest');
  const target = manifest && /TargetPlatform="([^"]+)"/.exec(manifest.data().toString('utf8'))?.[1];
  if (!target || !TARGETS[target]) return { problems: [`no known TargetPlatform in extension.vsixmanifest (${target})`], target, entries };
  for (const r of REQUIRED) if (!names.has(r)) problems.push(`missing ${r}`);
  const packages = new Set();
  const binaries = {};
  let models = [];
  for (const e of entries) {
    for (const [re, what] of FORBIDDEN) if (re.test(e.name)) problems.push(`${e.name}: ${what}`);
    const pkg = /^extension\/node_modules\/@node-llama-cpp\/([^/]+)\//.exec(e.name)?.[1];
    if (pkg) packages.add(pkg);
    if (/^extension\/models\/[^/]+\.gguf$/.test(e.name)) {
      if (e.data().toString('latin1', 0, 4) !== 'GGUF') problems.push(`${e.name}: not a GGUF file`);
      models.push({ name: e.name.slice('extension/models/'.length), bytes: e.size });
      continue;
    }
    if (e.size < 64) continue;
    const kind = nativeKind(e.data().subarray(0, 4096));
    if (!kind) continue;
    const want = NATIVE[target];
    if (kind.format !== want.format || kind.cpu !== want.cpu) {
      problems.push(`${e.name}: ${kind.format} for CPU ${typeof kind.cpu === 'number' ? `0x${kind.cpu.toString(16)}` : kind.cpu}, not ${target} (${want.format} 0x${want.cpu.toString(16)})`);
    } else if (!pkg) {
      problems.push(`${e.name}: native code outside node-llama-cpp's binary packages`);
    }
    if (pkg) binaries[pkg] = (binaries[pkg] ?? 0) + 1;
  }
  const expected = TARGETS[target];
  for (const p of packages) if (!expected.includes(p)) problems.push(`@node-llama-cpp/${p}: another platform's or build's binaries`);
  for (const p of expected) {
    if (!packages.has(p)) problems.push(`@node-llama-cpp/${p} missing`);
    else if (!entries.some((e) => e.name.startsWith(`extension/node_modules/@node-llama-cpp/${p}/bins/`) && e.name.endsWith('.node'))) problems.push(`@node-llama-cpp/${p} has no .node addon`);
    else if (!binaries[p]) problems.push(`@node-llama-cpp/${p} has no native file for ${target}`);
  }
  if (models.length === 0) models = undefined;
  return { problems, target, entries, binaries, models };
}

const files = process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : readdirSync(root).filter((f) => f.endsWith('.vsix')).map((f) => join(root, f));
if (files.length === 0) {
  console.error('check-vsix: no VSIX to check (run npm run package first)');
  process.exit(1);
}
const report = [];
let failed = 0;
for (const file of files) {
  let result;
  try {
    result = check(file);
  } catch (error) {
    result = { problems: [`cannot read: ${error.message}`], entries: [] };
  }
  const bytes = readFileSync(file).length;
  if (bytes > 80e6) result.problems.push(`${(bytes / 1e6).toFixed(1)} MB: over the 80 MB limit`);
  report.push({
    file: basename(file), target: result.target, bytes, mb: Math.round(bytes / 1e5) / 10,
    files: result.entries.length, unpackedBytes: result.entries.reduce((s, e) => s + e.size, 0),
    nativeFiles: result.binaries, models: result.models, problems: result.problems.length,
  });
  for (const p of result.problems) console.error(`check-vsix: ${basename(file)}: ${p}`);
  if (result.problems.length > 0) failed++;
}
console.log(JSON.stringify(report, null, 2));
// The closing line the test runner (test/run-all.sh) counts: one check per VSIX.
console.log(`${files.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
