/**
 * The extension-host side of inference: spawns the worker lazily on the first request, loads the configured
 * model, relays typed requests, and turns every way the worker can fail into a settled promise. Nothing here
 * imports `vscode` or node-llama-cpp, so the same client runs in VS Code, in plain-Node tests and in the bench.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadKey, respawnDelayMs, type EngineConfig } from './config';
import type {
  ChatMessage, Done, GenerationResult, GenerationStats, InfillLayout, InfillPrompt, LoadOptions, ModelInfo, ParamsOf, Request, RequestType, Response, ResultOf,
  SamplingOptions, WorkerStats, Workload,
} from '../common/protocol';
import { GENERATION_REQUESTS, isDoneFor, isResponse } from '../common/protocol';
import { type Disposable, type EngineState, type InferenceEngine, type RequestOptions } from '../common/engine';
import { CancelledError, EngineError } from '../common/errors';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export interface WorkerEngineOptions {
  workerPath: string;
  config: () => EngineConfig;
  log: Logger;
  /** Where "auto" threads remember their calibration. */
  calibrationFile?: string;
}

interface Pending {
  type: RequestType;
  /** Takes the worker's `done` reply, checked against the request type before it resolves the caller. */
  resolve(reply: Done): void;
  reject(error: Error): void;
  onChunk?: (text: string) => void;
  generation: boolean;
}

interface Worker {
  child: ChildProcess;
  key: string;
  ready: Promise<ModelInfo>;
  info?: ModelInfo;
  exited: boolean;
  /** Settles when the process has exited. */
  exit: Promise<void>;
  /** A shutdown was asked for: the worker takes no new requests. */
  stopping: boolean;
  startedAt: number;
}

/** A worker that lived this long before crashing had been healthy: its crash starts a fresh backoff count. */
const HEALTHY_LIFETIME_MS = 60_000;

const CANCEL_ACK_MS = 1000;

/** Settles with `promise`, or rejects with CancelledError as soon as `signal` aborts (the work itself goes on). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new CancelledError('cancel'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError('cancel'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export class WorkerEngine implements InferenceEngine {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(s: EngineState) => void>();
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
    this.current = this.restingState();
  }

  get state(): EngineState {
    return this.current;
  }

  get loadedModel(): ModelInfo | undefined {
    return this.worker?.info;
  }

  onDidChangeState(listener: (state: EngineState) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
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
    return (await this.ensureWorker(options.signal)).info!;
  }

  async stats(): Promise<WorkerStats | undefined> {
    if (!this.worker?.info || this.worker.exited) return undefined;
    return this.send('stats', {}, {});
  }

  async restart(): Promise<void> {
    this.loadFailure = undefined;
    this.crashTimes = [];
    await this.stopWorker();
    this.restIfIdle();
  }

  /** Kill the worker the hard way (tests and the bench use this to prove crash recovery). */
  killWorkerForTesting(signal: NodeJS.Signals = 'SIGKILL'): number | undefined {
    const pid = this.worker?.child.pid;
    this.worker?.child.kill(signal);
    return pid;
  }

  get workerPid(): number | undefined {
    return this.worker && !this.worker.exited ? this.worker.child.pid : undefined;
  }

  dispose(): void {
    this.disposed = true;
    void this.stopWorker();
    this.listeners.clear();
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
    for (const l of [...this.listeners]) {
      try {
        l(state);
      } catch (error) {
        this.options.log.error(`state listener failed: ${(error as Error).message}`);
      }
    }
  }

  private refreshBusyState(): void {
    if (!this.worker?.info) return;
    const busy = [...this.pending.values()].some((p) => p.generation);
    this.setState({ kind: busy ? 'generating' : 'ready', modelName: this.worker.info.name });
  }

  private async request<K extends RequestType>(type: K, params: ParamsOf<K>, options: RequestOptions): Promise<ResultOf<K>> {
    if (options.signal?.aborted) throw new CancelledError('cancel');
    await this.ensureWorker(options.signal);
    if (options.signal?.aborted) throw new CancelledError('cancel');
    return this.send(type, params, options);
  }

  private send<K extends RequestType>(type: K, params: ParamsOf<K>, options: RequestOptions): Promise<ResultOf<K>> {
    const worker = this.worker;
    if (!worker || worker.exited) return Promise.reject(new EngineError('WORKER_CRASHED', 'The Hearth engine is not running. Try again.'));
    const id = this.nextId++;
    const generation = GENERATION_REQUESTS.has(type);
    return new Promise<ResultOf<K>>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.has(id)) return;
        if (this.worker === worker && !worker.exited) {
          worker.child.send({ id: this.nextId++, type: 'cancel', targetId: id } satisfies Request);
        }
        // A worker stuck in native code must not hold the caller: settle locally if it does not answer soon.
        setTimeout(() => {
          const stuck = this.pending.get(id);
          if (!stuck) return;
          this.pending.delete(id);
          this.options.log.warn(`request ${id} did not acknowledge its cancellation in ${CANCEL_ACK_MS} ms`);
          stuck.reject(new CancelledError('cancel'));
        }, CANCEL_ACK_MS).unref?.();
      };
      const settle = () => {
        options.signal?.removeEventListener('abort', onAbort);
        this.touch();
        this.refreshBusyState();
      };
      this.pending.set(id, {
        type,
        generation,
        onChunk: options.onChunk,
        resolve: (reply) => {
          settle();
          if (isDoneFor(reply, type)) resolve(reply.result);
          else reject(new EngineError('INTERNAL', `The Hearth engine answered a ${type} request with a ${reply.request} result.`));
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        worker.child.send({ ...params, type, id });
      } catch (error) {
        this.pending.get(id)?.reject(new EngineError('WORKER_CRASHED', `Could not reach the Hearth engine: ${(error as Error).message}`));
        this.pending.delete(id);
        return;
      }
      if (generation) this.refreshBusyState();
    });
  }

  private fileStamp(modelPath: string): string {
    try {
      const s = fs.statSync(modelPath);
      return `${s.size}:${s.mtimeMs}:${s.isDirectory()}`;
    } catch {
      return 'missing';
    }
  }

  private async ensureWorker(signal?: AbortSignal): Promise<Worker> {
    if (this.disposed) throw new EngineError('INTERNAL', 'Hearth is shutting down.');
    const config = this.options.config();
    if (!config.modelPath) {
      this.setState({ kind: 'noModel' });
      throw new EngineError('NO_MODEL', 'No model file is configured. Run "Hearth: Select Model File…" to choose a .gguf model.');
    }
    const key = loadKey(config);
    // A worker for other settings, or one already shutting down (restart, idle unload), takes no new requests.
    if (this.worker && (this.worker.key !== key || this.worker.stopping)) await this.stopWorker();
    if (this.disposed) throw new EngineError('INTERNAL', 'Hearth is shutting down.');
    if (this.worker && !this.worker.exited) {
      await raceAbort(this.worker.ready, signal);
      return this.worker;
    }
    // The same broken file fails the same way: answer at once instead of respawning on every keystroke.
    const stamp = this.fileStamp(config.modelPath);
    if (this.loadFailure && this.loadFailure.key === key && this.loadFailure.stamp === stamp) throw this.loadFailure.error;

    const now = Date.now();
    this.crashTimes = this.crashTimes.filter((t) => now - t < 120_000);
    const delay = respawnDelayMs(this.crashTimes.length);
    if (delay > 0) {
      this.options.log.warn(`the engine crashed ${this.crashTimes.length} times recently; waiting ${delay} ms before restarting it`);
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(new CancelledError('cancel'));
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, delay);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      if (this.worker && !this.worker.exited) return this.ensureWorker(signal);
    }
    if (this.disposed) throw new EngineError('INTERNAL', 'Hearth is shutting down.');
    const worker = this.spawn(config, key);
    try {
      await raceAbort(worker.ready, signal);
    } catch (error) {
      // Free memory changes from minute to minute: only what is wrong with the file itself is remembered.
      if (error instanceof EngineError && error.code !== 'WORKER_CRASHED' && error.code !== 'INTERNAL' && error.code !== 'MODEL_TOO_LARGE') {
        this.loadFailure = { key, stamp, error };
      }
      throw error;
    }
    return worker;
  }

  private spawn(config: EngineConfig, key: string): Worker {
    const name = path.basename(config.modelPath!);
    this.setState({ kind: 'loading', modelName: name });
    const started = Date.now();
    const child = fork(this.options.workerPath, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // In desktop VS Code the host is Electron: run the child as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true' },
      execArgv: [],
    });
    const log = this.options.log;
    child.stdout?.on('data', (d: Buffer) => log.debug(`worker: ${d.toString().trimEnd()}`));
    child.stderr?.on('data', (d: Buffer) => log.debug(`worker stderr: ${d.toString().trimEnd()}`));

    let resolveReady!: (info: ModelInfo) => void;
    let rejectReady!: (e: Error) => void;
    const ready = new Promise<ModelInfo>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    ready.catch(() => undefined);
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const worker: Worker = { child, key, ready, exited: false, exit, stopping: false, startedAt: Date.now() };
    this.worker = worker;
    const loadId = this.nextId++;

    child.on('message', (message: unknown) => {
      if (!isResponse(message)) return;
      this.onMessage(worker, message, loadId, config, (info) => {
        worker.info = info;
        log.info(`model ${info.name} ready in ${Date.now() - started} ms (worker ${child.pid}; load ${info.loadMs} ms; threads ${info.threads}: ${info.threadsReason}; context ${info.contextSize}; FIM ${info.supportsInfill}; chat template ${info.hasChatTemplate ? 'yes' : `none (using ${info.chatWrapper})`})`);
        resolveReady(info);
        this.setState({ kind: 'ready', modelName: info.name });
        this.touch();
      }, (error) => {
        rejectReady(error);
        this.setState({ kind: 'error', modelName: name, message: error.message, code: error.code });
        void this.stopWorker(worker);
      });
    });
    child.on('error', (error) => {
      log.error(`worker process error: ${error.message}`);
      // A fork that failed outright (EAGAIN, EMFILE) may never emit 'exit': settle everything here.
      if (child.pid === undefined && !worker.exited) {
        worker.exited = true;
        if (this.worker === worker) this.worker = undefined;
        const failure = new EngineError('WORKER_CRASHED', `Could not start the Hearth engine: ${error.message}`);
        rejectReady(failure);
        this.setState({ kind: 'error', modelName: name, message: failure.message, code: 'WORKER_CRASHED' });
      }
    });
    child.on('exit', (code, signal) => {
      worker.exited = true;
      if (this.worker !== worker) return;
      this.worker = undefined;
      const expected = worker.stopping;
      const reason = signal ? `signal ${signal}` : `exit code ${code}`;
      const error = new EngineError('WORKER_CRASHED', `The Hearth engine stopped unexpectedly (${reason}). It restarts on the next request; see "Hearth: Show Log" for details.`);
      if (!expected) {
        log.error(`worker ${child.pid} exited (${reason})`);
        if (Date.now() - worker.startedAt > HEALTHY_LIFETIME_MS) this.crashTimes = [];
        this.crashTimes.push(Date.now());
        rejectReady(error);
      } else {
        rejectReady(new CancelledError('shutdown'));
      }
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(expected ? new CancelledError('shutdown') : error);
      }
      if (!expected) this.setState({ kind: 'error', modelName: name, message: error.message, code: 'WORKER_CRASHED' });
      else if (this.current.kind !== 'error') this.setState(this.restingState());
    });
    return worker;
  }

  private onMessage(worker: Worker, message: Response, loadId: number, config: EngineConfig, loaded: (info: ModelInfo) => void, failed: (e: EngineError) => void) {
    const log = this.options.log;
    switch (message.type) {
      case 'ready': {
        const options: LoadOptions = {
          modelPath: config.modelPath!, threads: config.threads, contextSize: config.contextSize, gpu: config.gpu,
          calibrationFile: this.options.calibrationFile, logLevel: config.logLevel,
        };
        worker.child.send({ id: loadId, type: 'load', options } satisfies Request);
        return;
      }
      case 'log':
        log[message.level](message.message);
        return;
      default:
        break;
    }
    if (message.id === loadId) {
      if (message.type === 'done' && isDoneFor(message, 'load')) loaded(message.result);
      else if (message.type === 'error') failed(new EngineError(message.code, message.message));
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    switch (message.type) {
      case 'chunk':
        try {
          pending.onChunk?.(message.text);
        } catch (error) {
          log.error(`a stream listener failed: ${(error as Error).message}`);
        }
        return;
      case 'done':
        this.pending.delete(message.id);
        this.logResult(message);
        pending.resolve(message);
        return;
      case 'cancelled':
        this.pending.delete(message.id);
        pending.reject(new CancelledError(message.reason, message.partial));
        return;
      case 'error':
        this.pending.delete(message.id);
        log.warn(`${pending.type} failed: ${message.message}`);
        pending.reject(new EngineError(message.code, message.message));
        return;
    }
  }

  private logResult(reply: Done) {
    if (!isDoneFor(reply, 'complete') && !isDoneFor(reply, 'infill') && !isDoneFor(reply, 'chat')) return;
    const type = reply.request;
    const stats = reply.result.stats;
    const tps = stats.generationMs > 0 ? (stats.generatedTokens / stats.generationMs) * 1000 : 0;
    // Chat turns are occasional and worth a line; completions run per keystroke and stay at debug.
    this.options.log[type === 'chat' ? 'info' : 'debug'](`${type}: prompt ${stats.promptTokens} tokens (${stats.evaluatedTokens} evaluated, ${stats.reusedTokens} reused) in ${stats.promptMs.toFixed(0)} ms; ${stats.generatedTokens} tokens at ${tps.toFixed(1)} tok/s`);
  }

  /** Restart the idle-unload countdown. */
  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const minutes = this.options.config().idleUnloadMinutes;
    if (!(minutes > 0) || !this.worker) return;
    this.idleTimer = setTimeout(() => {
      if (this.pending.size > 0) return this.touch();
      this.options.log.info(`unloading the model after ${minutes} idle minutes`);
      void this.stopWorker().then(() => this.restIfIdle());
    }, minutes * 60_000);
    this.idleTimer.unref?.();
  }

  private async stopWorker(which = this.worker): Promise<void> {
    if (!which || which.exited) return;
    if (which.stopping) return which.exit;
    which.stopping = true;
    if (this.worker === which && this.idleTimer) clearTimeout(this.idleTimer);
    try {
      which.child.send({ id: this.nextId++, type: 'shutdown' } satisfies Request);
    } catch {
      which.child.kill('SIGKILL');
    }
    const timer = setTimeout(() => which.child.kill('SIGKILL'), 2000);
    await which.exit;
    clearTimeout(timer);
  }
}
