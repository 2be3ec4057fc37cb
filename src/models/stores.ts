/**
 * Where other tools keep GGUF models, and how each names them, so Hearth can use those files in place:
 * the Hugging Face hub cache, Ollama's blob store, LM Studio's models folder, and folders the user lists
 * (where llamafiles are found too). Each locator only lists candidates; discovery reads and describes them.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { listDirs, walkFiles, type WalkBudget } from './walk';

export type ModelSource = 'huggingface' | 'ollama' | 'lmstudio' | 'llamafile' | 'folder';

export interface Candidate {
  /** The file as found (may be a symlink). */
  path: string;
  source: ModelSource;
  displayName: string;
  /** The model's name in its store: Hugging Face repo id, Ollama `model:tag`, LM Studio `publisher/repo`. */
  repo?: string;
}

export interface StoreRoots {
  huggingface: string;
  ollama: string;
  lmstudio: readonly string[];
}

/** The default locations, honoring each tool's own environment variables. */
export function storeRoots(env: NodeJS.ProcessEnv, home: string): StoreRoots {
  const hfHome = env.HF_HOME || path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'huggingface');
  return {
    huggingface: env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || path.join(hfHome, 'hub'),
    ollama: env.OLLAMA_MODELS || path.join(home, '.ollama', 'models'),
    lmstudio: [path.join(home, '.lmstudio', 'models'), path.join(home, '.cache', 'lm-studio', 'models')],
  };
}

/** A model file, not a vision projector or a later part of a split model (llama.cpp loads parts from the first). */
export function isModelFileName(name: string): boolean {
  const lower = name.toLowerCase();
  if (!lower.endsWith('.gguf') || lower.startsWith('mmproj')) return false;
  const part = /-(\d{5})-of-(\d{5})\.gguf$/.exec(lower);
  return !part || Number(part[1]) === 1;
}

const isLlamafileName = (name: string) => name.toLowerCase().endsWith('.llamafile');

/**
 * `models--<org>--<name>/snapshots/<revision>/…/<file>.gguf`, reported as repo `<org>/<name>`. The revision
 * `refs/main` names comes first, so when revisions share a file the current one is the one listed.
 */
export async function* huggingFaceCandidates(hub: string, maxDepth: number, budget: WalkBudget): AsyncGenerator<Candidate> {
  for (const folder of await listDirs(hub, budget)) {
    if (!folder.startsWith('models--')) continue;
    const repo = folder.slice('models--'.length).split('--').join('/');
    const snapshots = path.join(hub, folder, 'snapshots');
    const main = await fs.readFile(path.join(hub, folder, 'refs', 'main'), 'utf8').then((t) => t.trim(), () => '');
    const revisions = (await listDirs(snapshots, budget)).sort((a, b) => Number(b === main) - Number(a === main));
    for (const revision of revisions) {
      for await (const file of walkFiles(path.join(snapshots, revision), maxDepth, budget, isModelFileName)) {
        yield { path: file.path, source: 'huggingface', displayName: `${repo}/${file.segments.join('/')}`, repo };
      }
    }
  }
}

/** Largest manifest read: real ones are a few hundred bytes. */
const MAX_MANIFEST_BYTES = 256 * 1024;
const MODEL_LAYER = 'application/vnd.ollama.image.model';
const DEFAULT_REGISTRY = 'registry.ollama.ai';

/**
 * `manifests/<registry>/<namespace>/<model>/<tag>` JSON names the model layer's blob `sha256:<hex>`, stored as
 * `blobs/sha256-<hex>`. Named as `ollama list` names it: `model:tag`, `namespace/model:tag` outside the
 * library, `registry/namespace/model:tag` for other registries (hf.co pulls).
 */
export async function* ollamaCandidates(root: string, budget: WalkBudget): AsyncGenerator<Candidate> {
  for await (const manifest of walkFiles(path.join(root, 'manifests'), 3, budget, () => true)) {
    if (manifest.segments.length !== 4) continue;
    const [registry, namespace, model, tag] = manifest.segments;
    const digest = await modelLayerDigest(manifest.path);
    if (!digest) continue;
    const repo =
      registry === DEFAULT_REGISTRY ? `${namespace === 'library' ? '' : `${namespace}/`}${model}:${tag}` : `${registry}/${namespace}/${model}:${tag}`;
    // Ollama names blobs sha256-<hex>; releases before 0.1.33 (and their stores, still around) used a colon.
    const dashed = path.join(root, 'blobs', `sha256-${digest}`);
    const blob = await fs.stat(dashed).then(() => dashed, () => path.join(root, 'blobs', `sha256:${digest}`));
    yield { path: blob, source: 'ollama', displayName: repo, repo };
  }
}

async function modelLayerDigest(manifestPath: string): Promise<string | undefined> {
  try {
    const handle = await fs.open(manifestPath, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(MAX_MANIFEST_BYTES);
      const { bytesRead } = await handle.read(buf, 0, MAX_MANIFEST_BYTES, 0);
      if (bytesRead === MAX_MANIFEST_BYTES) return undefined;
      text = buf.toString('utf8', 0, bytesRead);
    } finally {
      await handle.close();
    }
    const layers = (JSON.parse(text) as { layers?: unknown }).layers;
    if (!Array.isArray(layers)) return undefined;
    const layer = layers.find((l): l is { digest: unknown } => typeof l === 'object' && l !== null && (l as { mediaType?: unknown }).mediaType === MODEL_LAYER);
    // Only a bare hex digest becomes a path: nothing in a manifest can point outside the blob folder.
    const match = typeof layer?.digest === 'string' ? /^sha256[:-]([0-9a-f]{64})$/.exec(layer.digest) : null;
    return match?.[1];
  } catch {
    return undefined;
  }
}

/** `<publisher>/<repo>/<file>.gguf`, reported as repo `<publisher>/<repo>`. */
export async function* lmStudioCandidates(root: string, maxDepth: number, budget: WalkBudget): AsyncGenerator<Candidate> {
  for await (const file of walkFiles(root, maxDepth, budget, isModelFileName)) {
    if (file.segments.length < 3) continue;
    const repo = file.segments.slice(0, 2).join('/');
    yield { path: file.path, source: 'lmstudio', displayName: file.segments.join('/'), repo };
  }
}

/** Any `.gguf` (and `.llamafile`) under a folder the user listed, named by its path below that folder. */
export async function* folderCandidates(root: string, maxDepth: number, budget: WalkBudget): AsyncGenerator<Candidate> {
  const match = (name: string) => isModelFileName(name) || isLlamafileName(name);
  for await (const file of walkFiles(root, maxDepth, budget, match)) {
    const llamafile = isLlamafileName(file.path);
    const displayName = llamafile ? file.segments.join('/').replace(/\.llamafile$/i, '') : file.segments.join('/');
    yield { path: file.path, source: llamafile ? 'llamafile' : 'folder', displayName };
  }
}
