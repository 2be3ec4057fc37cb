/**
 * A model per job. Each job (completion, assistant) has its own worker, so a crash or a broken file in one job's
 * model never takes the other down; when both jobs name the same model they share one worker (one copy in
 * memory). Both models stay loaded while they fit in memory together; when the next one would not fit, the
 * other job's model is unloaded first and comes back on its next request (swapped on demand), and the log says
 * so. A job whose engine is `remote` (hearth.engine) is served by a RemoteEngine instead, and its worker
 * stands down. No `vscode` here: the glue passes settings in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Emitter } from '../common/emitter';
import { estimateLoadBytes } from '../common/modelMemory';
import type { Disposable, EngineState, InferenceEngine, RequestOptions } from '../common/engine';
import type { ChatMessage, GenerationResult, GenerationStats, InfillLayout, InfillPrompt, Job, ModelInfo, ProbeResult, SamplingOptions, WorkerStats, Workload } from '../common/protocol';
import { loadKey, type EngineConfig, type EngineKind } from './config';
import { probeModels } from './probe';
import type { RemoteTarget } from './remote/client';
import { RemoteEngine } from './remote/remoteEngine';
import { WorkerEngine, type Logger } from './workerEngine';
import type { WorkerLimits } from './workerProcess';

export const JOBS: readonly Job[] = ['completion', 'assistant'];

export interface JobEnginesOptions {
  workerPath: string;
  /** Engine settings for a job, with the model path that job resolves to (undefined: none chosen). */
  config: (job: Job) => EngineConfig;
  log: Logger;
  calibrationFile?: string;
  /** Bytes of memory free now, overriding node-llama-cpp's reading (tests force a swap with 0). */
  freeMemory?: () => number;
  /** Something the user should know that is not a request's failure (a loaded model's file changed on disk). */
  notify?: (message: string) => void;
  /** The server of a job whose config says `engine: 'remote'`. */
  remote?: (job: Job) => RemoteTarget;
  /** The API key for a server origin (SecretStorage in the editor). */
  apiKey?: (origin: string) => Promise<string | undefined>;
}

/** The model file's size, 0 when it cannot be read (its load will say why). */
function fileBytes(modelPath: string): number {
  try {
    return fs.statSync(modelPath).size;
  } catch {
    return 0;
  }
}

function fileStamp(modelPath: string): string {
  try {
    const s = fs.statSync(modelPath);
    return s.isFile() ? `${modelPath}:${s.size}:${s.mtimeMs}` : 'missing';
  } catch {
    return 'missing';
  }
}

export class JobEngines {
  private readonly workers: Record<Job, WorkerEngine>;
  private readonly remotes: Record<Job, RemoteEngine>;
  private readonly facades: Record<Job, JobEngine>;
  /** Measured memory need per model file (path, size, mtime). */
  private readonly needs = new Map<string, number>();
  /** Completion-job generations in flight: the assistant's own worker pauses its answers meanwhile. */
  private completionsRunning = 0;
  /**
   * The workers' watchdogs and memory caps, read when each countdown starts: the fault tests shorten the request
   * watchdog or cap a load's memory here, and restore the defaults by deleting the field.
   */
  readonly limits: WorkerLimits = {};

  constructor(private readonly options: JobEnginesOptions) {
    const worker = (job: Job) => new WorkerEngine({
      workerPath: options.workerPath,
      log: options.log,
      calibrationFile: options.calibrationFile,
      limits: this.limits,
      notify: options.notify,
      // The assistant's own worker stands down while it shares the completion model, and a remote job's always.
      config: () => (this.isRemote(job) || (job === 'assistant' && this.shared()) ? { ...options.config(job), modelPath: undefined } : options.config(job)),
    });
    this.workers = { completion: worker('completion'), assistant: worker('assistant') };
    // Built up front (they connect on their first request) so their state changes reach the facades.
    const remote = (job: Job) => new RemoteEngine({
      target: () => options.remote?.(job) ?? { url: '', model: '', fim: 'auto', connectTimeoutMs: 5000, readTimeoutMs: 120_000, contextSize: options.config(job).contextSize },
      apiKey: options.apiKey ?? (async () => undefined),
      log: options.log,
    });
    this.remotes = { completion: remote('completion'), assistant: remote('assistant') };
    this.facades = { completion: new JobEngine('completion', this), assistant: new JobEngine('assistant', this) };
  }

  /** The engine a job's capabilities use. */
  engine(job: Job): JobEngine {
    return this.facades[job];
  }

  /** Which engine serves `job`: Hearth's own worker or a server. */
  kind(job: Job): EngineKind {
    return this.options.config(job).engine;
  }

  private isRemote(job: Job): boolean {
    return this.kind(job) === 'remote';
  }

  /** The engine that serves `job` now: its remote engine, or the worker that serves it. */
  engineFor(job: Job): InferenceEngine {
    return this.isRemote(job) ? this.remotes[job] : this.workerFor(job);
  }

  /** The worker that serves `job` now (tests kill it; the bench reads its pid). */
  /**
   * Runs a completion the user waits for. When the assistant has its own worker (a different model), it is told
   * to pause chat and actions until no completion runs: both processes share the same cores. A shared worker
   * orders its lanes itself.
   */
  async asCompletion<T>(run: () => Promise<T>): Promise<T> {
    // A completion on a server takes nothing from this machine's cores.
    if (this.isRemote('completion')) return run();
    if (this.completionsRunning++ === 0) this.workers.assistant.yieldToCompletion(true);
    try {
      return await run();
    } finally {
      if (--this.completionsRunning === 0) this.workers.assistant.yieldToCompletion(false);
    }
  }

  workerFor(job: Job): WorkerEngine {
    return job === 'assistant' && this.shared() ? this.workers.completion : this.workers[job];
  }

  /** Both jobs name the same model with the same runtime settings: one worker serves both. */
  shared(): boolean {
    const c = this.options.config('completion');
    const a = this.options.config('assistant');
    return c.engine === 'embedded' && a.engine === 'embedded' && c.modelPath !== undefined && loadKey(c) === loadKey(a);
  }

  configurationChanged(): void {
    for (const job of JOBS) {
      this.workers[job].configurationChanged();
      this.remotes[job].configurationChanged();
    }
  }

  onDidChangeState(listener: () => void): Disposable {
    const subs = JOBS.flatMap((job) => [this.workers[job].onDidChangeState(listener), this.remotes[job].onDidChangeState(listener)]);
    return { dispose: () => subs.forEach((s) => s.dispose()) };
  }

  /**
   * Before `job`'s model loads: unload the other job's model if both would not fit in memory together.
   * Says why in the log, so a user who sees a reload knows it is memory and not a crash.
   */
  async makeRoom(job: Job): Promise<void> {
    if (this.isRemote(job)) return;
    const target = this.workerFor(job);
    if (target.loadedModel || target.workerPid !== undefined) return;
    const other = this.workerFor(job === 'completion' ? 'assistant' : 'completion');
    // A missing file fails its load at once, and must not cost the other job its model.
    if (fileStamp(this.options.config(job).modelPath ?? '') === 'missing') return;
    if (other === target || !other.loadedModel) return;
    const { need, free } = await this.memoryFor(job);
    if (need <= free) return;
    const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
    this.options.log.info(`unloading ${other.loadedModel.name} to make room for the ${job} model: it needs about ${mib(need)} and ${mib(free)} is free; both do not fit at once, so they take turns`);
    await other.unload();
  }

  /** What `job`'s model needs and what is free, from node-llama-cpp's estimate (a file-size rule if the probe fails). */
  private async memoryFor(job: Job): Promise<{ need: number; free: number }> {
    const config = this.options.config(job);
    const stamp = fileStamp(config.modelPath!);
    const known = this.needs.get(stamp);
    if (known !== undefined) return { need: known, free: this.options.freeMemory?.() ?? os.freemem() };
    let need = estimateLoadBytes(fileBytes(config.modelPath!));
    let free = os.freemem();
    try {
      const probed = await this.probe([config.modelPath!]);
      const estimate = probed.models[0];
      if (!estimate.error) need = estimate.ramBytes;
      free = probed.machine.freeRamBytes;
    } catch (error) {
      this.options.log.warn(`could not measure memory for the ${job} model (${(error as Error).message}); estimating from its file size`);
    }
    // A model's need does not change while its file does not: probe once per file, not once per swap.
    this.needs.set(stamp, need);
    return { need, free: this.options.freeMemory?.() ?? free };
  }

  /** This machine's memory and GPU, and what each model would need at the configured context (node-llama-cpp's estimates). */
  probe(paths: string[], signal?: AbortSignal): Promise<ProbeResult> {
    const config = this.options.config('completion');
    return probeModels(this.options.workerPath, this.options.log, paths.map((path) => ({ path, contextSize: config.contextSize })), config.gpu, signal);
  }

  /** What each job uses now, for the status bar and the log. */
  describe(): Array<{ job: Job; state: EngineState; shared: boolean; engine: EngineKind }> {
    const shared = this.shared();
    return JOBS.map((job) => ({ job, state: this.engineFor(job).state, shared, engine: this.kind(job) }));
  }

  stop(): Promise<void> {
    for (const job of JOBS) this.remotes[job].dispose();
    return Promise.all(JOBS.map((job) => this.workers[job].stop())).then(() => undefined);
  }

  dispose(): void {
    void this.stop();
  }
}

/** One job's view of the engines: the InferenceEngine its capabilities hold, routed to the worker or server serving it. */
export class JobEngine implements InferenceEngine {
  private readonly changed = new Emitter<EngineState>();
  private last: EngineState;

  constructor(
    readonly job: Job,
    private readonly owner: JobEngines,
  ) {
    this.last = this.state;
    owner.onDidChangeState(() => {
      const now = this.state;
      if (now.kind === this.last.kind && now.modelName === this.last.modelName && now.message === this.last.message && now.server === this.last.server) return;
      this.last = now;
      this.changed.fire(now);
    });
  }

  private get worker(): InferenceEngine {
    return this.owner.engineFor(this.job);
  }

  get state(): EngineState {
    return this.worker.state;
  }

  get loadedModel(): ModelInfo | undefined {
    return this.worker.loadedModel;
  }

  onDidChangeState(listener: (state: EngineState) => void): Disposable {
    return this.changed.event(listener);
  }

  async complete(prompt: string, sampling: SamplingOptions, options?: RequestOptions & { workload?: Workload }): Promise<GenerationResult> {
    await this.owner.makeRoom(this.job);
    if (this.job === 'completion' && (options?.workload ?? 'completion') === 'completion') {
      return this.owner.asCompletion(() => this.worker.complete(prompt, sampling, options));
    }
    return this.worker.complete(prompt, sampling, options);
  }

  async infill(prefix: string, suffix: string, sampling: SamplingOptions, options?: RequestOptions & { layout?: InfillLayout }): Promise<GenerationResult> {
    await this.owner.makeRoom(this.job);
    return this.job === 'completion'
      ? this.owner.asCompletion(() => this.worker.infill(prefix, suffix, sampling, options))
      : this.worker.infill(prefix, suffix, sampling, options);
  }

  async chat(messages: ChatMessage[], sampling: SamplingOptions, options?: RequestOptions): Promise<GenerationResult> {
    await this.owner.makeRoom(this.job);
    return this.worker.chat(messages, sampling, options);
  }

  async prefill(prompt: string | InfillPrompt, workload: Workload, options?: RequestOptions): Promise<GenerationStats> {
    await this.owner.makeRoom(this.job);
    return this.worker.prefill(prompt, workload, options);
  }

  async countTokens(text: string): Promise<number> {
    await this.owner.makeRoom(this.job);
    return this.worker.countTokens(text);
  }

  async modelInfo(options?: { signal?: AbortSignal }): Promise<ModelInfo> {
    await this.owner.makeRoom(this.job);
    return this.worker.modelInfo(options);
  }

  stats(): Promise<WorkerStats | undefined> {
    return this.worker.stats();
  }

  restart(): Promise<void> {
    return this.worker.restart();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
