/**
 * Where a catalog model's file is downloaded from. Companies that cannot reach the public hub point
 * hearth.models.downloadBaseUrl at a mirror that keeps Hugging Face's `<repo>/resolve/<revision>/<file>` layout.
 */

export const HUGGING_FACE_BASE_URL = 'https://huggingface.co';

export interface ModelFileRef {
  /** `owner/name` on the hub, e.g. `Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF`. */
  repo: string;
  /** The file's path inside the repository, e.g. `qwen2.5-coder-0.5b-instruct-q4_k_m.gguf`. */
  file: string;
}

/** `<base>/<repo>/resolve/<revision>/<file>`, each path segment escaped; a trailing slash on `baseUrl` is ignored. */
export function modelUrl(entry: ModelFileRef, baseUrl = HUGGING_FACE_BASE_URL, revision = 'main'): string {
  const base = baseUrl.trim().replace(/\/+$/, '');
  const path = (p: string) => p.split('/').filter((s) => s !== '').map(encodeURIComponent).join('/');
  return `${base}/${path(entry.repo)}/resolve/${encodeURIComponent(revision)}/${path(entry.file)}`;
}
