/**
 * Times model discovery over a generated tree (default 1,000 files: small GGUF models and other files in
 * nested folders, laid out as a listed folder, a Hugging Face cache and an Ollama store) and prints JSON:
 * wall time per run, files per millisecond, and the longest the event loop was held up (discovery must not
 * block the extension host).
 *
 *   node esbuild.mjs && node dist/bench/models.js [--files 1000] [--runs 5]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { discoverModels } from '../src/models/discovery';
import { tinyModel } from '../test/support/ggufBytes';
import { median, parseArgs, round } from './args';

const args = parseArgs(process.argv.slice(2));
const files = Number(args.files ?? 1000);
const runs = Number(args.runs ?? 5);

function generate(root: string): { ggufs: number } {
  const home = path.join(root, 'home');
  const folder = path.join(root, 'folder');
  const model = tinyModel({ name: 'bench', vocab: 256, fim: true });
  let ggufs = 0;
  for (let i = 0; i < files; i++) {
    const store = i % 10;
    let file: string;
    if (store === 0) {
      file = path.join(home, '.cache', 'huggingface', 'hub', `models--org--repo${i}`, 'snapshots', 'rev', `m${i}.gguf`);
    } else if (store === 1) {
      const digest = i.toString(16).padStart(64, '0');
      const manifest = path.join(home, '.ollama', 'models', 'manifests', 'registry.ollama.ai', 'library', `m${i}`, 'latest');
      fs.mkdirSync(path.dirname(manifest), { recursive: true });
      fs.writeFileSync(manifest, JSON.stringify({ layers: [{ mediaType: 'application/vnd.ollama.image.model', digest: `sha256:${digest}` }] }));
      file = path.join(home, '.ollama', 'models', 'blobs', `sha256-${digest}`);
    } else {
      // Three levels of folders, ten entries each; one in four files is not a model.
      file = path.join(folder, `d${i % 7}`, `e${i % 5}`, `f${i % 3}`, i % 4 === 0 ? `notes${i}.txt` : `m${i}.gguf`);
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const isModel = !file.endsWith('.txt');
    fs.writeFileSync(file, isModel ? model : 'not a model');
    if (isModel) ggufs++;
  }
  return { ggufs };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-models-'));
  try {
    const { ggufs } = generate(root);
    const times: number[] = [];
    let found = 0;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const models = await discoverModels({ env: {}, home: path.join(root, 'home'), extraFolders: [path.join(root, 'folder')] });
      times.push(performance.now() - t0);
      found = models.filter((m) => m.facts).length;
    }
    delay.disable();
    console.log(JSON.stringify({
      files,
      ggufFiles: ggufs,
      modelsFound: found,
      runs,
      discoveryMs: { median: round(median(times)), min: round(Math.min(...times)), max: round(Math.max(...times)) },
      filesPerMs: round(files / median(times), 2),
      eventLoopMaxBlockMs: round(delay.max / 1e6),
      node: process.version,
      cpus: os.cpus().length,
    }, null, 2));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

void main();
