/**
 * The extension-host side of inference, as policy: which worker serves a request (a lazy spawn on the first one,
 * a new one when the settings change), what a failure means (a broken file is remembered until it changes, a
 * worker that keeps crashing is respawned with backoff), when to unload (idle), and the state the status bar
 * shows. The child process itself is workerProcess.ts. Nothing here imports `vscode` or node-llama-cpp, so the
 * same client runs in VS Code, in plain-Node tests and in the bench.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { raceAbort, sleep } from '../common/abort';
import { Emitter } from '../common/emitter';
import type { Disposable, EngineState, InferenceEngine, RequestOptions } from '../common/engine';
import { CancelledError, EngineError } from '../common/errors';
import { notRegularFileError } from '../common/gguf/fileKind';
import type {
  ChatMessage, ErrorCode, GenerationResult, GenerationStats, InfillLayout, InfillPrompt, ModelInfo, ParamsOf, RequestType, ResultOf, SamplingOptions, WorkerStats, Workload,
} from '../common/protocol';
import { loadKey, respawnDelayMs, type EngineConfig } from './config';
import { WorkerProcess, type Logger, type WorkerLimits } from './workerProcess';

export type { Logger } from './workerProcess';

export interface WorkerEngineOptions {
  workerPath: string;
  config: () => EngineConfig;
  log: Logger;
  /** Where "auto" threads remember their calibration. */
  calibrationFile?: string;
  /** The watchdogs and memory caps (defaults in workerProcess.ts; tests shorten them, even for a running worker). */
  limits?: WorkerLimits;
  /** Something the user should know that is not a failure of a request (the model file changed on disk). */
  notify?: (message: string) => void;
}

/** Writes to a model file come in bursts (a copy, a download's rename): look once they have settled. */
const FILE_CHANGE_SETTLE_MS = 150;
const FILE_POLL_MS = 2000;

const changedNotice = (name: string) => `${name} changed on disk. Hearth stopped the copy in memory and loads the new file on the next request.`;

/** A worker that lived this long before crashing had been healthy: its crash starts a fresh backoff count. */
const HEALTHY_LIFETIME_MS = 60_000;

/** Load failures worth another try on the next request. */
const TRANSIENT_LOAD_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['WORKER_CRASHED', 'INTERNAL', 'MODEL_TOO_LARGE']);

export class WorkerEngine implements InferenceEngine {
  private worker: WorkerProcess | undefined;
  private readonly stateChanged: Emitter<EngineState>;
  private crashTimes: number[] = [];
  private loadFailure: { key: string; stamp: string; error: EngineError } | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private current: EngineState;

  private readonly options: WorkerEngineOptions;

  constructor(options: WorkerEngineOptions) {
    // Logging must never throw into a child-process event handler (a closed output channel does throw).
    const log = options.log;
    const guard = (fn: (m: string) => void) => (message: string) => {
      try {
        fn.call(log, message);
      } catch {
        // nowhere left to report it
      }
    };
    this.options = { ...options, log: { error: guard(log.error), warn: guard(log.warn), info: guard(log.info), debug: guard(log.debug) } };
    this.stateChanged = new Emitter((error) => this.options.log.error(`state listener failed: ${(error as Error).message}`));
    this.current = this.restingState();
  }

  get state(): EngineState {
    return this.current;
  }

  get loadedModel(): ModelInfo | undefined {
    return this.worker?.info;
  }

  onDidChangeState(listener: (state: EngineState) => void): Disposable {
    return this.stateChanged.event(listener);
  }

  /** Call when settings change: a different model or runtime setting stops the worker; the next request reloads. */
  configurationChanged(): void {
    this.loadFailure = undefined;
    const key = loadKey(this.options.config());
    if (this.worker && this.worker.key !== key) void this.stopWorker().then(() => this.restIfIdle());
    else if (!this.worker) this.setState(this.restingState());
  }

  complete(prompt: string, sampling: SamplingOptions, options: RequestOptions & { workload?: Workload } = {}): Promise<GenerationResult> {
    return this.request('complete', { workload: options.workload ?? 'completion', prompt, sampling }, options);
  }

  infill(prefix: string, suffix: string, sampling: SamplingOptions, options: RequestOptions & { layout?: InfillLayout } = {}): Promise<GenerationResult> {
    return this.request('infill', { prefix, suffix, sampling, layout: options.layout }, options);
  }

  chat(messages: ChatMessage[], sampling: SamplingOptions, options: RequestOptions = {}): Promise<GenerationResult> {
    return this.request('chat', { messages, sampling }, options);
  }

  prefill(prompt: string | InfillPrompt, workload: Workload, options: RequestOptions = {}): Promise<GenerationStats> {
    return this.request('prefill', { workload, prompt }, options);
  }

  countTokens(text: string): Promise<number> {
    return this.request('countTokens', { text }, {});
  }

  async modelInfo(options: { signal?: AbortSignal } = {}): Promise<ModelInfo> {
    return (await this.ensureWorker(options.signal)).ready;
  }

  async stats(): Promise<WorkerStats | undefined> {
    if (!this.worker?.info || this.worker.exited) return undefined;
    return this.worker.send('stats', {}, {});
  }

  async restart(): Promise<void> {
    this.loadFailure = undefined;
    this.crashTimes = [];
    await this.stopWorker();
    this.restIfIdle();
  }

  /** Stops the worker to free its memory (another job's model needs the room); the next request reloads. */
  async unload(): Promise<void> {
    await this.stopWorker();
    this.restIfIdle();
  }

  /** Tells a running worker whether the other job's completion is running (chat pauses meanwhile); never starts one. */
  yieldToCompletion(busy: boolean): void {
    const worker = this.worker;
    if (!worker?.info || worker.exited) return;
    void worker.send('yieldToCompletion', { busy }, {}).catch(() => undefined);
  }

  /** Kill the worker the hard way (tests and the bench use this to prove crash recovery). */
  killWorkerForTesting(signal: NodeJS.Signals = 'SIGKILL'): number | undefined {
    return this.worker?.kill(signal);
  }

  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  /** Stops the worker; resolves when its process has exited (deactivate() returns this so VS Code waits). */
  stop(): Promise<void> {
    this.disposed = true;
    this.stateChanged.dispose();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    return this.stopWorker();
  }

  dispose(): void {
    void this.stop();
  }

  // ---------------------------------------------------------------------------------------------------------

  /** Back to the resting state, unless a newer worker has started meanwhile. */
  private restIfIdle(): void {
    if (!this.worker) this.setState(this.restingState());
  }

  private restingState(): EngineState {
    const modelPath = this.options.config().modelPath;
    if (!modelPath) return { kind: 'noModel' };
    return { kind: 'idle', modelName: path.basename(modelPath) };
  }

  private setState(state: EngineState): void {
    const prev = this.current;
    if (prev.kind === state.kind && prev.modelName === state.modelName && prev.message === state.message) return;
    this.current = state;
    this.stateChanged.fire(state);
  }

  private async request<K extends RequestType>(type: K, params: ParamsOf<K>, options: RequestOptions): Promise<ResultOf<K>> {
    if (options.signal?.aborted) throw new CancelledError('cancel');
    const worker = await this.ensureWorker(options.signal);
    if (options.signal?.aborted) throw new CancelledError('cancel');
    return worker.send(type, params, options);
  }

  private fileStamp(modelPath: string): string {
    try {
      const s = fs.statSync(modelPath);
      return `${s.size}:${s.mtimeMs}:${s.isDirectory()}`;
    } catch {
      return 'missing';
    }
  }

  private notRegularFile(modelPath: string): EngineError | undefined {
    try {
      return notRegularFileError(modelPath, fs.statSync(modelPath));
    } catch {
      return undefined; // missing or unreadable: the worker's check says which, with its own message
    }
  }

  private async ensureWorker(signal?: AbortSignal): Promise<WorkerProcess> {
    if (this.disposed) throw new EngineError('INTERNAL', 'Hearth is shutting down.');
    const config = this.options.config();
    if (!config.modelPath) {
      this.setState({ kind: 'noModel' });
      throw new EngineError('NO_MODEL', 'No model is chosen yet. Run "Hearth: Choose Model…" to pick one that fits this machine, from disk or downloaded.');
    }
    const key = loadKey(config);
    // The same broken file fails the same way: answer at once (before waiting for its worker to finish exiting)
    // instead of respawning on every keystroke.
    // (The file is stat'ed only when a failure is remembered: this runs on every keystroke.)
    const remembered = this.loadFailure?.key === key ? this.loadFailure : undefined;
    if (remembered && remembered.stamp === this.fileStamp(config.modelPath)) throw remembered.error;
    // A worker for other settings, or one already shutting down (restart, idle unload), takes no new requests.
    if (this.worker && (this.worker.key !== key || this.worker.stopping)) await this.stopWorker();
    if (this.disposed) throw new EngineError('INTERNAL', 'Hearth is shutting down.');
    if (this.worker && !this.worker.exited) {
      await raceAbort(this.worker.ready, signal);
      return this.worker;
    }
    const stamp = this.fileStamp(config.modelPath);
    // A FIFO or a device needs no worker to be refused (the worker's check would refuse it too).
    const notRegular = this.notRegularFile(config.modelPath);
    if (notRegular) {
      this.loadFailure = { key, stamp, error: notRegular };
      this.setState({ kind: 'error', modelName: path.basename(config.modelPath), message: notRegular.message, code: notRegular.code });
      throw notRegular;
    }

    const now = Date.now();
    this.crashTimes = this.crashTimes.filter((t) => now - t < 120_000);
    const delay = respawnDelayMs(this.crashTimes.length);
    if (delay > 0) {
      this.options.log.warn(`the engine crashed ${this.crashTimes.length} times recently; waiting ${delay} ms before restarting it`);
      if (!(await sleep(delay, signal))) throw new CancelledError('cancel');
      if (this.worker && !this.worker.exited) return this.ensureWorker(signal);
    }
    if (this.disposed) throw new EngineError('INTERNAL', 'Hearth is shutting down.');
    const worker = this.spawn(config, key, stamp);
    await raceAbort(worker.ready, signal);
    return worker;
  }

  private spawn(config: EngineConfig, key: string, stamp: string): WorkerProcess {
    const log = this.options.log;
    const started = Date.now();
    const load = {
      modelPath: config.modelPath!, threads: config.threads, contextSize: config.contextSize, gpu: config.gpu,
      calibrationFile: this.options.calibrationFile, logLevel: config.logLevel,
    };
    const name = path.basename(load.modelPath);
    this.setState({ kind: 'loading', modelName: name });
    const worker: WorkerProcess = new WorkerProcess(this.options.workerPath, key, load, log, {
      loaded: (info) => {
        this.watchModelFile(worker, load.modelPath, stamp);
        log.info(`model ${info.name} ready in ${Date.now() - started} ms (worker ${worker.pid}; load ${info.loadMs} ms; threads ${info.threads}: ${info.threadsReason}; context ${info.contextSize}; FIM ${info.supportsInfill}; chat template ${info.hasChatTemplate ? 'yes' : `none (using ${info.chatWrapper})`})`);
        this.setState({ kind: 'ready', modelName: info.name });
        this.touch();
      },
      loadFailed: (error) => {
        // Remembered here, not by the request that started the load: it may have been cancelled meanwhile. Free
        // memory changes from minute to minute, so only what is wrong with the file itself (a hang and a crash
        // while loading included) or a runtime that cannot load at all is remembered.
        if (!TRANSIENT_LOAD_ERRORS.has(error.code)) this.loadFailure = { key, stamp, error };
        this.setState({ kind: 'error', modelName: name, message: error.message, code: error.code });
      },
      exited: (expected, crash) => {
        worker.unwatch?.();
        if (this.worker !== worker) return;
        this.worker = undefined;
        if (!expected && worker.info && this.fileChanged(load.modelPath, stamp)) {
          // Rewritten in place under the worker's memory map, the file can take the worker down (SIGBUS) before the
          // watcher's notice: that is the change, not a crash, and the next request loads the new file.
          this.notice(changedNotice(name));
          this.setState(this.restingState());
        } else if (!expected) {
          if (Date.now() - worker.startedAt > HEALTHY_LIFETIME_MS) this.crashTimes = [];
          // A crash while loading is the file's failure, remembered above: it needs no backoff. Running out of memory
          // is not remembered (memory frees up), so it backs off like a crash instead of reloading per keystroke.
          if (crash.code === 'WORKER_CRASHED' || crash.code === 'MODEL_TOO_LARGE') this.crashTimes.push(Date.now());
          this.setState({ kind: 'error', modelName: name, message: crash.message, code: crash.code });
        } else if (this.current.kind !== 'error') {
          this.setState(this.restingState());
        }
      },
      activity: () => {
        if (this.worker !== worker || worker.exited) return;
        this.touch();
        if (worker.info) this.setState({ kind: worker.busy ? 'generating' : 'ready', modelName: worker.info.name });
      },
    }, this.options.limits);
    this.worker = worker;
    return worker;
  }

  /**
   * What happens when a loaded model's file changes on disk. Deleted: the worker keeps answering from the copy it
   * holds (the open file stays readable until the worker exits), and the user is told that the next load will fail.
   * Replaced (by a copy, a download or an edit): the copy in memory is stale, and unsafe when the file was rewritten
   * in place under llama.cpp's memory map (a shorter file crashes it), so the worker is stopped like after a
   * settings change and the next request loads the new file. One directory watch per loaded worker; a file system
   * that cannot be watched only loses the notice.
   */
  private watchModelFile(worker: WorkerProcess, modelPath: string, stamp: string): void {
    const name = path.basename(modelPath);
    let timer: NodeJS.Timeout | undefined;
    let toldDeleted = false;
    const check = () => {
      timer = undefined;
      if (this.worker !== worker || worker.exited || worker.stopping) return;
      const now = this.fileStamp(modelPath);
      if (now === stamp) return;
      if (now === 'missing') {
        if (toldDeleted) return;
        toldDeleted = true;
        this.notice(`${name} was deleted from disk. Hearth keeps using the copy already in memory until the engine stops (idle unload, restart or a settings change); after that, choose another model with "Hearth: Choose Model…".`);
        return;
      }
      this.notice(changedNotice(name));
      void this.stopWorker(worker).then(() => this.restIfIdle());
    };
    const changed = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(check, FILE_CHANGE_SETTLE_MS);
      timer.unref?.();
    };
    // inotify can miss a change (a network or FUSE file system, a full watch table): a slow stat poll backs it up.
    const poll = (current: fs.Stats, previous: fs.Stats) => {
      if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) changed();
    };
    fs.watchFile(modelPath, { persistent: false, interval: FILE_POLL_MS }, poll);
    let watcher: fs.FSWatcher | undefined;
    try {
      watcher = fs.watch(path.dirname(modelPath), { persistent: false }, (_event, file) => {
        if (file === null || file.toString() === name) changed();
      });
      watcher.on('error', () => watcher?.close());
    } catch (error) {
      this.options.log.debug(`cannot watch ${modelPath} for changes (${(error as Error).message}); polling it`);
    }
    worker.unwatch = () => {
      if (timer) clearTimeout(timer);
      watcher?.close();
      fs.unwatchFile(modelPath, poll);
    };
  }

  private fileChanged(modelPath: string, stamp: string): boolean {
    const now = this.fileStamp(modelPath);
    return now !== stamp && now !== 'missing';
  }

  private notice(message: string): void {
    this.options.log.warn(message);
    try {
      this.options.notify?.(message);
    } catch (error) {
      this.options.log.error(`a notice listener failed: ${(error as Error).message}`);
    }
  }

  /** Restart the idle-unload countdown. */
  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const minutes = this.options.config().idleUnloadMinutes;
    if (!(minutes > 0) || !this.worker) return;
    this.idleTimer = setTimeout(() => {
      if ((this.worker?.pendingCount ?? 0) > 0) return this.touch();
      this.options.log.info(`unloading the model after ${minutes} idle minutes`);
      void this.stopWorker().then(() => this.restIfIdle());
    }, minutes * 60_000);
    this.idleTimer.unref?.();
  }

  private async stopWorker(which = this.worker): Promise<void> {
    if (!which || which.exited) return;
    if (this.worker === which && this.idleTimer) clearTimeout(this.idleTimer);
    await which.stop();
  }
}
