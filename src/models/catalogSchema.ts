/**
 * Checks catalog entries, so a wrong edit to the catalog (a typo in a hash, a completion model without FIM, a
 * path in a file name) fails a unit test instead of reaching a user's download. Takes `unknown`: the same
 * checks can judge entries that arrive from elsewhere later (a catalog update, a user's own list).
 */
import type { CatalogEntry, ModelJob } from './catalog';

const JOBS: readonly ModelJob[] = ['completion', 'assistant'];
const ID = /^[a-z0-9][a-z0-9._-]*$/;
const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.gguf$/;
const SHA256 = /^[0-9a-f]{64}$/;
const PARAMETERS = /^\d+(\.\d+)?[MB]$/;

/** Problems with one entry, each a sentence naming the field; empty when it is valid. */
export function validateCatalogEntry(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['an entry must be an object'];
  const e = value as Partial<Record<keyof CatalogEntry, unknown>>;
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const nonEmpty = (v: unknown) => typeof v === 'string' && v.trim().length > 0;

  check(typeof e.id === 'string' && ID.test(e.id), 'id must be a lowercase slug');
  const jobs = Array.isArray(e.jobs) ? (e.jobs as unknown[]) : [];
  check(jobs.length > 0, 'jobs must name at least one job');
  check(jobs.every((j) => JOBS.includes(j as ModelJob)), `jobs may only be ${JOBS.join(', ')}`);
  check(new Set(jobs).size === jobs.length, 'jobs must not repeat');
  check(nonEmpty(e.name), 'name must not be empty');
  check(nonEmpty(e.publisher), 'publisher must not be empty');
  check(typeof e.repo === 'string' && REPO.test(e.repo) && !e.repo.includes('..'), 'repo must be a Hugging Face repo id (owner/name)');
  check(typeof e.file === 'string' && FILE.test(e.file) && !e.file.includes('..'), 'file must be a plain .gguf file name (no folders)');
  check(typeof e.sizeBytes === 'number' && Number.isSafeInteger(e.sizeBytes) && e.sizeBytes > 0, 'sizeBytes must be a positive whole number');
  check(e.sizeApprox === undefined || e.sizeApprox === true, 'sizeApprox is either absent or true');
  if (e.hashSource === 'publisher') check(typeof e.sha256 === 'string' && SHA256.test(e.sha256), 'sha256 must be 64 lowercase hex digits');
  else if (e.hashSource === 'trust-on-first-use') check(e.sha256 === null, 'a trust-on-first-use entry has sha256 null until a download pins it');
  else problems.push("hashSource must be 'publisher' or 'trust-on-first-use'");
  check(nonEmpty(e.license), 'license must not be empty');
  check(typeof e.gated === 'boolean', 'gated must be true or false');
  check(e.gated !== true || nonEmpty(e.access), 'a gated entry must say in access what the user has to do');
  check(typeof e.parameters === 'string' && PARAMETERS.test(e.parameters), "parameters must look like '0.5B' or '360M'");
  check(nonEmpty(e.quantization), 'quantization must not be empty');
  check(typeof e.contextLength === 'number' && Number.isSafeInteger(e.contextLength) && e.contextLength > 0, 'contextLength must be a positive whole number');
  check(typeof e.fim === 'boolean' && typeof e.chatTemplate === 'boolean', 'fim and chatTemplate must be true or false');
  check(!jobs.includes('completion') || e.fim === true, 'a completion model must be trained for fill-in-the-middle (fim: true)');
  check(!jobs.includes('assistant') || e.chatTemplate === true, 'an assistant model must have a chat template (chatTemplate: true)');
  check(typeof e.quality === 'number' && Number.isFinite(e.quality), 'quality must be a number');
  check(nonEmpty(e.why) && !String(e.why).includes('\n'), 'why must be one line');
  check(e.verify === undefined || nonEmpty(e.verify), 'verify, when present, must say what to check');
  return problems;
}

/** Problems with a whole catalog: every entry's, prefixed with its id, and ids or files listed twice. */
export function validateCatalog(entries: readonly unknown[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const files = new Set<string>();
  entries.forEach((entry, i) => {
    const id = typeof (entry as { id?: unknown })?.id === 'string' ? (entry as { id: string }).id : `#${i}`;
    problems.push(...validateCatalogEntry(entry).map((p) => `${id}: ${p}`));
    if (ids.has(id)) problems.push(`${id}: id is used twice`);
    ids.add(id);
    const { repo, file } = entry as { repo?: unknown; file?: unknown };
    const where = `${String(repo)}/${String(file)}`;
    if (files.has(where)) problems.push(`${id}: ${where} is listed twice`);
    files.add(where);
  });
  return problems;
}
