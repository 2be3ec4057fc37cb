/** The status bar item that always says what the engine is doing; clicking it offers the next useful step. */
import * as vscode from 'vscode';
import type { EngineState } from '../common/engine';
import type { Job } from '../common/protocol';
import type { EngineKind } from './config';
import { JOBS, type JobEngines } from './jobEngines';
import { isModelFileError } from '../common/errors';

export function describeState(state: EngineState): { text: string; tooltip: string; command: string; error: boolean } {
  const model = state.modelName ?? 'the model';
  switch (state.kind) {
    case 'noModel':
      return { text: '$(circle-slash) Hearth: no model', tooltip: 'Hearth has no model yet. Click to choose one that fits this machine.', command: 'hearth.chooseModel', error: false };
    case 'idle':
      return { text: '$(circle-outline) Hearth', tooltip: `Hearth: ${model} is not loaded; it loads on first use.`, command: 'hearth.showLog', error: false };
    case 'loading':
      return { text: `$(loading~spin) Hearth: loading ${model}`, tooltip: `Hearth is loading ${model}…`, command: 'hearth.showLog', error: false };
    case 'ready':
      return { text: '$(check) Hearth', tooltip: `Hearth: ${model} is ready.`, command: 'hearth.showLog', error: false };
    case 'generating':
      return { text: '$(sync~spin) Hearth', tooltip: `Hearth: ${model} is generating…`, command: 'hearth.showLog', error: false };
    case 'error':
      return {
        text: '$(error) Hearth',
        tooltip: `Hearth: ${state.message ?? 'the engine failed'} — click for the fix.`,
        command: isModelFileError(state.code) ? 'hearth.chooseModel' : 'hearth.showLog',
        error: true,
      };
  }
}

/** Which state the one item shows when two jobs differ: what needs attention or is happening comes first. */
const PRIORITY: Record<EngineState['kind'], number> = { error: 5, loading: 4, generating: 3, ready: 2, idle: 1, noModel: 0 };

const JOB_LABEL: Record<Job, string> = { completion: 'Completions', assistant: 'Assistant' };

/** One line per job for the tooltip, so the user sees which model each job uses and whether it is loaded. */
export function describeJobs(jobs: Array<{ job: Job; state: EngineState; shared: boolean; engine?: EngineKind }>): string {
  if (jobs.length > 0 && jobs[0].shared) return `Completions and assistant: ${stateLine(jobs[0].state)}${engineNote(jobs[0].engine, jobs[0].state)}`;
  return jobs.map(({ job, state, engine }) => `${JOB_LABEL[job]}: ${stateLine(state)}${engineNote(engine, state)}`).join('\n');
}

/** Which engine runs the job: Hearth's own worker, or the server (by address). */
function engineNote(engine: EngineKind | undefined, state: EngineState): string {
  if (engine === 'remote') return ` (remote engine${state.server ? ` at ${state.server}` : ''})`;
  return engine === 'embedded' ? ' (embedded engine)' : '';
}

function stateLine(state: EngineState): string {
  const model = state.modelName ?? 'no model';
  switch (state.kind) {
    case 'noModel': return 'no model chosen';
    case 'idle': return `${model}, not loaded`;
    case 'loading': return `${model}, loading…`;
    case 'ready': return `${model}, ready`;
    case 'generating': return `${model}, generating…`;
    case 'error': return `${model}: ${state.message ?? 'failed'}`;
  }
}

/** The one status bar item for both jobs' engines. */
export class EngineStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: { dispose(): void };

  constructor(private readonly engines: JobEngines) {
    this.item = vscode.window.createStatusBarItem('hearth.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Hearth';
    this.render();
    this.item.show();
    // Through the jobs' engines, so the item is current before their other listeners hear of a change.
    const subs = JOBS.map((job) => engines.engine(job).onDidChangeState(() => this.render()));
    this.subscription = { dispose: () => subs.forEach((s) => s.dispose()) };
  }

  /** The text shown now; integration tests read it to follow the state walk. */
  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    return typeof this.item.tooltip === 'string' ? this.item.tooltip : '';
  }

  private render() {
    const jobs = this.engines.describe();
    const lead = jobs.reduce((a, b) => (PRIORITY[b.state.kind] > PRIORITY[a.state.kind] ? b : a)).state;
    const d = describeState(lead);
    this.item.text = d.text;
    this.item.tooltip = `${d.tooltip}\n\n${describeJobs(jobs)}`;
    this.item.command = d.command;
    this.item.accessibilityInformation = { label: d.tooltip, role: 'button' };
    this.item.backgroundColor = d.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose() {
    this.subscription.dispose();
    this.item.dispose();
  }
}
