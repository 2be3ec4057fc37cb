/**
 * One worker child process and its requests: fork, the ready → load handshake, typed requests with their
 * pending table, cancellation that settles even when the worker is stuck, and an exit that settles everything
 * still waiting. What to do about a crash, a failed load or an idle worker is the engine's policy
 * (workerEngine.ts), told through the hooks.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelledError, EngineError } from '../common/errors';
import { looksOutOfMemory, outOfMemoryMessage } from '../common/modelMemory';
import type { Done, GenerationResult, LoadOptions, LogLevel, ModelInfo, ParamsOf, Request, RequestType, Response, ResultOf } from '../common/protocol';
import { GENERATION_REQUESTS, isDoneFor, isResponse } from '../common/protocol';
import type { RequestOptions } from '../common/engine';

export type Logger = Record<LogLevel, (message: string) => void>;

export interface WorkerHooks {
  /** The model is loaded and the worker takes requests. */
  loaded(info: ModelInfo): void;
  /** The worker answered the load with an error (the process is being stopped). */
  loadFailed(error: EngineError): void;
  /** The process is gone; `expected` when a stop was asked for. Pending requests are already settled. */
  exited(expected: boolean, error: EngineError): void;
  /** A request settled, or a generation started: the engine refreshes its busy state and idle countdown. */
  activity(): void;
}

interface Pending {
  type: RequestType;
  /** Takes the worker's `done` reply, checked against the request type before it resolves the caller. */
  resolve(reply: Done): void;
  reject(error: Error): void;
  onChunk?: (text: string) => void;
  generation: boolean;
}

/** Read when each countdown starts, so a test may shorten them for a worker that is already running. */
export interface WorkerLimits {
  /**
   * A load that sends nothing for this long is killed and fails as a load of that file (default 60 s). The worker
   * reports each load stage and llama.cpp's load progress, so a big file that is still loading is never cut off.
   */
  loadStallMs?: number;
  /**
   * A worker that answers nothing for this long while a request waits is hung: it is killed, the requests fail
   * with a message that says so, and the next request starts a new worker (default 30 s). A long prompt is not
   * cut off: when the worker has been quiet for a while the host pings it, and any answer counts.
   */
  requestStallMs?: number;
  /** V8 heap cap of the worker in MiB: a runaway in JavaScript dies in seconds instead of eating the machine. */
  heapMb?: number;
  /**
   * Address space (RLIMIT_AS, set with util-linux's `prlimit`) the worker may add for its load, in MiB above what
   * it uses when it starts; unset: no cap. Linux only. Tests give a worker a memory limit with it to prove that
   * running out of memory while loading is reported as such: the kernel refuses allocations past the cap exactly
   * as on a machine whose memory is exhausted.
   */
  loadMemoryMb?: number;
}

export const DEFAULT_LOAD_STALL_MS = 60_000;
export const DEFAULT_REQUEST_STALL_MS = 30_000;
/** The longest quiet spell before the host pings a busy worker. */
const PING_AFTER_MS = 5_000;
/** Far above what a loaded model's JavaScript side needs (tens of MiB for a 256k-token vocabulary). */
export const DEFAULT_WORKER_HEAP_MB = 512;
/** Bytes of the worker's stderr kept to explain a crash during load (V8 prints why it ran out of heap). */
const STDERR_TAIL_BYTES = 2048;

/** How long a cancelled request waits for the worker's acknowledgement before it settles on its own. */
const CANCEL_ACK_MS = 1000;
/** How long a shutdown may take before the process is killed. */
const SHUTDOWN_GRACE_MS = 2000;

export class WorkerProcess {
  readonly ready: Promise<ModelInfo>;
  /** The process answers requests (a probe-only worker, started without a model, waits for this alone). */
  readonly started: Promise<void>;
  /** Settles when the process has exited. */
  readonly exit: Promise<void>;
  readonly startedAt = Date.now();
  info: ModelInfo | undefined;
  exited = false;
  /** A shutdown was asked for: the worker takes no new requests. */
  stopping = false;
  /** Set by the engine while it watches this worker's model file; called once the process has exited. */
  unwatch: (() => void) | undefined;

  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private resolveReady!: (info: ModelInfo) => void;
  private rejectReady!: (error: Error) => void;
  private readonly resolveStarted: () => void;
  /** The load was sent to the worker: a crash from here on is the file's failure. */
  private loadSent = false;
  private loadTimer: NodeJS.Timeout | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  /** When the worker last said anything (Date.now()). */
  private lastHeard = 0;
  /** The load memory allowance in force (`loadMemoryMb`), once the cap is set. */
  private cappedMb: number | undefined;
  /** The worker was killed for not answering: its exit says so instead of "stopped unexpectedly". */
  private hungFor: number | undefined;
  private stderrTail = '';

  constructor(
    workerPath: string,
    /** The settings this worker was started for; a worker for other settings takes no requests. */
    readonly key: string,
    /** The model to load; undefined for a worker that only answers probes. */
    private readonly load: LoadOptions | undefined,
    private readonly log: Logger,
    private readonly hooks: WorkerHooks,
    private readonly limits: WorkerLimits = {},
  ) {
    this.ready = new Promise<ModelInfo>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    let resolveStarted!: () => void;
    this.started = new Promise<void>((resolve) => (resolveStarted = resolve));
    this.resolveStarted = resolveStarted;
    this.child = fork(workerPath, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // In desktop VS Code the host is Electron: run the child as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true' },
      execArgv: [`--max-old-space-size=${limits.heapMb ?? DEFAULT_WORKER_HEAP_MB}`],
    });
    if (load) this.armLoadWatchdog();
    this.exit = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdout?.on('data', (d: Buffer) => log.debug(`worker: ${d.toString().trimEnd()}`));
    this.child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      if (this.load && !this.info) this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
      log.debug(`worker stderr: ${text.trimEnd()}`);
    });
    const loadId = this.nextId++;
    this.child.on('message', (message: unknown) => {
      if (isResponse(message)) this.onMessage(message, loadId);
    });
    this.child.on('error', (error) => this.onError(error));
    this.child.on('exit', (code, signal) => this.onExit(signal ? `signal ${signal}` : `exit code ${code}`));
  }

  get pid(): number | undefined {
    return this.exited ? undefined : this.child.pid;
  }

  /** A generation is waiting for its answer. */
  get busy(): boolean {
    return [...this.pending.values()].some((p) => p.generation);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  send<K extends RequestType>(type: K, params: ParamsOf<K>, options: RequestOptions): Promise<ResultOf<K>> {
    if (this.exited) return Promise.reject(new EngineError('WORKER_CRASHED', 'The Hearth engine is not running. Try again.'));
    const id = this.nextId++;
    const generation = GENERATION_REQUESTS.has(type);
    return new Promise<ResultOf<K>>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.has(id)) return;
        if (!this.exited) this.post({ id: this.nextId++, type: 'cancel', targetId: id });
        // A worker stuck in native code must not hold the caller: settle locally if it does not answer soon.
        setTimeout(() => {
          const stuck = this.pending.get(id);
          if (!stuck) return;
          this.pending.delete(id);
          this.log.warn(`request ${id} did not acknowledge its cancellation in ${CANCEL_ACK_MS} ms`);
          stuck.reject(new CancelledError('cancel'));
        }, CANCEL_ACK_MS).unref?.();
      };
      const settle = () => {
        options.signal?.removeEventListener('abort', onAbort);
        if (this.pending.size === 0) this.disarmRequestWatchdog();
        this.hooks.activity();
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
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (this.pending.size === 1) this.watchRequests();
      try {
        this.child.send({ ...params, type, id });
      } catch (error) {
        this.pending.get(id)?.reject(new EngineError('WORKER_CRASHED', `Could not reach the Hearth engine: ${(error as Error).message}`));
        this.pending.delete(id);
        return;
      }
      if (generation) this.hooks.activity();
    });
  }

  /** Asks the worker to shut down; kills it if it has not exited after a grace period. */
  async stop(): Promise<void> {
    if (this.exited) return;
    if (this.stopping) return this.exit;
    this.stopping = true;
    if (!this.post({ id: this.nextId++, type: 'shutdown' })) this.child.kill('SIGKILL');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), SHUTDOWN_GRACE_MS);
    await this.exit;
    clearTimeout(timer);
  }

  /** Kill the process the hard way (tests and the bench use this to prove crash recovery). */
  kill(signal: NodeJS.Signals): number | undefined {
    const pid = this.child.pid;
    this.child.kill(signal);
    return pid;
  }

  private post(message: Request): boolean {
    try {
      this.child.send(message);
      return true;
    } catch {
      return false;
    }
  }

  private onMessage(message: Response, loadId: number): void {
    if (this.loadTimer) this.armLoadWatchdog();
    this.lastHeard = Date.now();
    switch (message.type) {
      case 'ready':
        this.resolveStarted();
        if (this.load) void this.capLoadMemory().then(() => {
          if (!this.exited && !this.stopping) this.loadSent = this.post({ id: loadId, type: 'load', options: this.load! });
        });
        return;
      case 'loadProgress':
        this.log.debug(`loading ${this.modelName()}: ${message.stage}`);
        return;
      case 'log':
        this.log[message.level](message.message);
        return;
      default:
        break;
    }
    if (message.id === loadId) {
      this.disarmLoadWatchdog();
      if (message.type === 'done' && isDoneFor(message, 'load')) {
        this.stderrTail = '';
        this.info = message.result;
        this.resolveReady(message.result);
        this.hooks.loaded(message.result);
      } else if (message.type === 'error') {
        const error = new EngineError(message.code, message.message);
        this.rejectReady(error);
        this.hooks.loadFailed(error);
        void this.stop();
      }
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    switch (message.type) {
      case 'chunk':
        try {
          pending.onChunk?.(message.text);
        } catch (error) {
          this.log.error(`a stream listener failed: ${(error as Error).message}`);
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
        this.log.warn(`${pending.type} failed: ${message.message}`);
        pending.reject(new EngineError(message.code, message.message));
        return;
    }
  }

  /** (Re)starts the no-progress countdown of a load: every message from the worker counts as progress. */
  private armLoadWatchdog(): void {
    if (this.loadTimer) clearTimeout(this.loadTimer);
    this.loadTimer = setTimeout(() => this.loadStalled(), this.limits.loadStallMs ?? DEFAULT_LOAD_STALL_MS);
    this.loadTimer.unref?.();
  }

  private disarmLoadWatchdog(): void {
    if (this.loadTimer) clearTimeout(this.loadTimer);
    this.loadTimer = undefined;
  }

  /**
   * Starts watching for answers while requests wait. A worker busy on a long prompt sends no chunk for a while, so
   * after a quiet spell the host pings it: a worker whose event loop still runs answers at once, and one that is
   * stopped, deadlocked in JavaScript or spinning does not. One timer per quiet spell, not one per message.
   */
  private watchRequests(): void {
    this.lastHeard = Date.now();
    if (!this.requestTimer) this.scheduleRequestCheck(this.pingAfterMs());
  }

  private pingAfterMs(): number {
    return Math.min(PING_AFTER_MS, (this.limits.requestStallMs ?? DEFAULT_REQUEST_STALL_MS) / 3);
  }

  private scheduleRequestCheck(ms: number): void {
    this.requestTimer = setTimeout(() => this.checkRequests(), Math.max(1, ms));
    this.requestTimer.unref?.();
  }

  private checkRequests(): void {
    this.requestTimer = undefined;
    if (this.exited || this.pending.size === 0) return;
    const stallMs = this.limits.requestStallMs ?? DEFAULT_REQUEST_STALL_MS;
    const pingAfter = this.pingAfterMs();
    const quiet = Date.now() - this.lastHeard;
    if (quiet >= stallMs) return this.requestStalled(stallMs);
    if (quiet >= pingAfter) this.post({ id: this.nextId++, type: 'ping' });
    this.scheduleRequestCheck(quiet >= pingAfter ? Math.min(pingAfter, stallMs - quiet) : pingAfter - quiet);
  }

  private disarmRequestWatchdog(): void {
    if (this.requestTimer) clearTimeout(this.requestTimer);
    this.requestTimer = undefined;
  }

  private requestStalled(stallMs: number): void {
    this.requestTimer = undefined;
    if (this.exited || this.pending.size === 0) return;
    this.log.error(`worker ${this.child.pid} answered nothing for ${stallMs} ms while ${this.pending.size} request(s) waited; killing it`);
    // Not `stopping`: the exit that follows is a crash, so the pending requests fail and the next request respawns.
    this.hungFor = stallMs;
    this.child.kill('SIGKILL');
  }

  /**
   * Applies `loadMemoryMb` before the load is sent: the cap is what the worker's address space holds now plus the
   * allowance. A cap that cannot be set is logged and the load goes on uncapped.
   */
  private async capLoadMemory(): Promise<void> {
    const allowanceMb = this.limits.loadMemoryMb;
    const pid = this.child.pid;
    if (allowanceMb === undefined || pid === undefined) return;
    try {
      const vmKb = Number(/^VmSize:\s+(\d+) kB/m.exec(await fs.promises.readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
      if (!Number.isFinite(vmKb)) throw new Error('no VmSize');
      const bytes = vmKb * 1024 + allowanceMb * 1024 * 1024;
      await new Promise<void>((resolve, reject) => execFile('prlimit', ['--pid', String(pid), `--as=${bytes}`], (error) => (error ? reject(error) : resolve())));
      this.cappedMb = allowanceMb;
      this.log.info(`worker ${pid}: address space capped at ${Math.round(bytes / 1024 / 1024)} MiB (${allowanceMb} MiB for the load)`);
    } catch (error) {
      this.log.warn(`could not cap the worker's memory: ${(error as Error).message}`);
    }
  }

  private loadStalled(): void {
    this.loadTimer = undefined;
    if (this.exited || this.info || this.stopping) return;
    const name = this.modelName();
    const stallMs = this.limits.loadStallMs ?? DEFAULT_LOAD_STALL_MS;
    const seconds = Math.round(stallMs / 1000);
    this.log.error(`loading ${name} made no progress for ${stallMs} ms; stopping worker ${this.child.pid}`);
    const error = new EngineError('MODEL_LOAD_FAILED', `Loading ${name} hung: the engine made no progress for ${seconds} s and was stopped. The file may be damaged or hostile, or its disk unreadable. Choose another model (run "Hearth: Choose Model…"), or run "Hearth: Restart Engine" to try again.`);
    this.rejectReady(error);
    this.hooks.loadFailed(error);
    // Stopping (not crashing): the exit that follows is expected, and nothing is left to settle but the process.
    this.stopping = true;
    this.child.kill('SIGKILL');
  }

  private modelName(): string {
    return path.basename(this.load?.modelPath ?? '');
  }

  private onError(error: Error): void {
    this.log.error(`worker process error: ${error.message}`);
    // A fork that failed outright (EAGAIN, EMFILE) may never emit 'exit': settle everything here.
    if (this.child.pid === undefined && !this.exited) this.settleExit(new EngineError('WORKER_CRASHED', `Could not start the Hearth engine: ${error.message}`));
  }

  private onExit(reason: string): void {
    if (this.exited) return;
    this.disarmLoadWatchdog();
    this.disarmRequestWatchdog();
    if (!this.stopping) this.log.error(`worker ${this.child.pid} exited (${reason})`);
    if (!this.stopping && this.loadSent && !this.info) {
      // Died of memory while loading: say so, and do not remember it against the file (memory frees up). Under a
      // memory cap a process often dies too fast to say why (an abort while printing, a failed stack map): a
      // signal then is the cap's doing.
      const oom = this.stderrTail.split('\n').find(looksOutOfMemory) ?? (this.cappedMb !== undefined && reason.startsWith('signal') ? `under the ${this.cappedMb} MiB memory limit` : undefined);
      // Otherwise died while loading the file: a failure of that file (remembered), not a crash to respawn on every keystroke.
      const error = oom !== undefined
        ? new EngineError('MODEL_TOO_LARGE', outOfMemoryMessage(this.modelName(), `${reason}: ${oom.trim().slice(0, 200)}`))
        : new EngineError('MODEL_LOAD_FAILED', `The engine stopped while loading ${this.modelName()} (${reason}): the file may be damaged, hostile or too big for this machine. Choose another model (run "Hearth: Choose Model…"), or run "Hearth: Restart Engine" to try again.`);
      this.rejectReady(error);
      this.hooks.loadFailed(error);
      this.settleExit(error);
      return;
    }
    if (this.hungFor !== undefined) {
      this.settleExit(new EngineError('WORKER_CRASHED', `The Hearth engine stopped answering for ${Math.round(this.hungFor / 1000)} s, so Hearth stopped it. It restarts on the next request; see "Hearth: Show Log" for details.`));
      return;
    }
    this.settleExit(new EngineError('WORKER_CRASHED', `The Hearth engine stopped unexpectedly (${reason}). It restarts on the next request; see "Hearth: Show Log" for details.`));
  }

  private settleExit(crash: EngineError): void {
    this.exited = true;
    const expected = this.stopping;
    this.rejectReady(expected ? new CancelledError('shutdown') : crash);
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(expected ? new CancelledError('shutdown') : crash);
    }
    this.hooks.exited(expected, crash);
  }

  private logResult(reply: Done): void {
    if (!isDoneFor(reply, 'complete') && !isDoneFor(reply, 'infill') && !isDoneFor(reply, 'chat')) return;
    const stats: GenerationResult['stats'] = reply.result.stats;
    const tps = stats.generationMs > 0 ? (stats.generatedTokens / stats.generationMs) * 1000 : 0;
    // Chat turns are occasional and worth a line; completions run per keystroke and stay at debug.
    this.log[reply.request === 'chat' ? 'info' : 'debug'](`${reply.request}: prompt ${stats.promptTokens} tokens (${stats.evaluatedTokens} evaluated, ${stats.reusedTokens} reused) in ${stats.promptMs.toFixed(0)} ms; ${stats.generatedTokens} tokens at ${tps.toFixed(1)} tok/s`);
  }
}
