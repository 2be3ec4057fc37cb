/**
 * What "Choose Model…" offers for a job, as plain data: the catalog ranked by fit on this machine (recommended
 * first, models that would not fit shown but never the default), the models already on disk that suit the job,
 * with a line each for fit, size, capabilities, licence and whether a download is needed. No `vscode` here.
 */
import { estimateLoadBytes } from '../common/modelMemory';
import type { Job } from '../common/protocol';
import type { CatalogEntry } from './catalog';
import type { DiscoveredModel } from './discovery';
import { formatBytes } from './diskSpace';
import { fitModel, type Fit, type MachineMemory } from './fit';
import { recommended } from './recommend';

export type ChoiceAction =
  | { kind: 'catalog'; entry: CatalogEntry; onDisk: boolean }
  | { kind: 'file'; model: DiscoveredModel };

export interface Choice {
  section: 'Recommended for this machine' | 'Already on this machine' | 'More models' ;
  label: string;
  description: string;
  detail: string;
  /** The preselected (default) choice. */
  picked: boolean;
  action: ChoiceAction;
}

const FIT_LABEL: Record<Fit['verdict'], string> = { fits: '$(pass) fits', tight: '$(warning) tight', noFit: '$(error) does not fit' };

/** A discovered file suits a job when its header says so: FIM tokens for completion, a chat template for the assistant. */
export function suits(model: DiscoveredModel, job: Job): boolean {
  if (!model.facts) return false;
  return job === 'completion' ? model.facts.supportsFim : model.facts.hasChatTemplate;
}

function capabilities(fim: boolean, chat: boolean): string {
  return [fim ? 'fill-in-the-middle' : '', chat ? 'chat template' : ''].filter(Boolean).join(' + ') || 'plain completion only';
}

export interface ChoiceInputs {
  job: Job;
  catalog: readonly CatalogEntry[];
  machine: MachineMemory;
  /** Catalog ids whose file is already downloaded. */
  downloaded: ReadonlySet<string>;
  /** Catalog ids whose hash this machine pinned on first download. */
  pinned: ReadonlySet<string>;
  discovered: readonly DiscoveredModel[];
  /** Measured needs (node-llama-cpp) by file path, where known. */
  measuredNeed?: ReadonlyMap<string, number>;
}

export function buildChoices(input: ChoiceInputs): Choice[] {
  const { job, machine } = input;
  const ranking = recommended(job, (entry) => fitModel(estimateLoadBytes(entry.sizeBytes), machine), input.catalog);
  const choices: Choice[] = ranking.ranked.map(({ entry, fit }) => {
    const onDisk = input.downloaded.has(entry.id);
    const hash = entry.sha256 ? 'sha256 from the publisher' : input.pinned.has(entry.id) ? 'sha256 pinned on first download' : 'sha256 pinned by the first download (none published)';
    return {
      section: fit.verdict === 'noFit' ? 'More models' : 'Recommended for this machine',
      label: `${entry === ranking.default ? '$(star-full) ' : ''}${entry.name}`,
      description: `${FIT_LABEL[fit.verdict]} · ${entry.sizeApprox ? '~' : ''}${formatBytes(entry.sizeBytes)} · ${onDisk ? '$(check) on disk' : '$(cloud-download) download'}`,
      detail: `${entry.parameters} ${entry.quantization} · ${capabilities(entry.fim, entry.chatTemplate)} · ${entry.license}${entry.gated ? ' (gated: needs a Hugging Face token)' : ''} · ${hash} · ${fit.reason} ${entry.why}`,
      picked: entry === ranking.default,
      action: { kind: 'catalog', entry, onDisk },
    };
  });
  for (const model of input.discovered) {
    if (!suits(model, job)) continue;
    const need = input.measuredNeed?.get(model.path) ?? estimateLoadBytes(model.sizeBytes);
    const fit = fitModel(need, machine);
    const facts = model.facts!;
    choices.push({
      section: 'Already on this machine',
      label: model.displayName,
      description: `${FIT_LABEL[fit.verdict]} · ${formatBytes(model.sizeBytes)} · $(check) on disk (${model.source})`,
      detail: `${facts.sizeLabel ?? ''} ${facts.quantization ?? ''} ${facts.architecture} · ${capabilities(facts.supportsFim, facts.hasChatTemplate)} · ${fit.reason} ${model.path}`.trim(),
      picked: false,
      action: { kind: 'file', model },
    });
  }
  const order: Record<Choice['section'], number> = { 'Recommended for this machine': 0, 'Already on this machine': 1, 'More models': 2 };
  return choices.sort((a, b) => order[a.section] - order[b.section]);
}
