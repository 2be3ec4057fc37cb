/**
 * The inference worker: a child process forked by the extension host on first need, so a native crash or an
 * out-of-memory kill takes down only this process. It answers the typed protocol in src/common/protocol.ts.
 *
 * Scheduling: two lanes, one per workload, each serial. A new completion-lane generation supersedes every older
 * completion-lane request (newest wins); chat-lane requests run in order. The lanes run concurrently and
 * node-llama-cpp batches their evaluations into the same context.
 */
import { CancelledError, EngineError } from '../common/errors';
import type { Llama } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { ErrorCode, GenerationStats, GpuSetting, LogLevel, Request, RequestOf, Response, ResultOf, WorkerStats, Workload } from '../common/protocol';
import { doneReply, isRequest } from '../common/protocol';
import { probe } from './probe';
import { Runtime } from './runtime';

const send = (message: Response) => {
  if (process.connected) process.send?.(message);
};

const LEVELS: LogLevel[] = ['error', 'warn', 'info', 'debug'];
let logLevel: LogLevel = 'info';
function log(level: LogLevel, message: string) {
  if (LEVELS.indexOf(level) <= LEVELS.indexOf(logLevel)) send({ type: 'log', level, message });
}

interface Active {
  controller: AbortController;
  lane?: Workload;
  supersedable: boolean;
}

const active = new Map<number, Active>();
const lanes: Record<Workload, Promise<void>> = { completion: Promise.resolve(), chat: Promise.resolve() };
/** Requests enqueued on each lane that have not started yet. */
const waiting: Record<Workload, number> = { completion: 0, chat: 0 };
const started = performance.now();
let runtime: Runtime | undefined;
/** Set by `shutdown`: requests that arrive afterwards are answered as cancelled, never run on a disposed model. */
let shuttingDown = false;
let loading: Promise<Runtime> | undefined;
let peakRss = 0;
const stats: Omit<WorkerStats, 'rssBytes' | 'peakRssBytes' | 'uptimeMs' | 'model'> = {
  requests: {}, cancelled: 0, totalEvaluatedTokens: 0, totalGeneratedTokens: 0,
};

function rss(): number {
  const now = process.memoryUsage.rss();
  peakRss = Math.max(peakRss, now);
  return now;
}
setInterval(rss, 250).unref();

function fail(id: number, error: unknown) {
  if (error instanceof CancelledError) return; // answered by the abort path
  const code: ErrorCode = error instanceof EngineError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'INTERNAL') log('error', `request ${id} failed: ${error instanceof Error ? error.stack : message}`);
  send({ id, type: 'error', code, message });
}

/** A probe-only worker's llama.cpp binding, loaded once (the loaded model's own binding serves it when there is one). */
let probeBinding: Promise<Llama> | undefined;
const probeLlama = (gpu: GpuSetting): Promise<Llama> => {
  if (runtime) return Promise.resolve(runtime.llama);
  probeBinding ??= import('node-llama-cpp').then((lib) => lib.getLlama({ gpu: gpu === 'off' ? false : 'auto', build: 'never', skipDownload: true, progressLogs: false, usePrebuiltBinaries: true, logLevel: lib.LlamaLogLevel.error }));
  return probeBinding;
};

const modelName = () => runtime?.info.name ?? '';

function requireRuntime(): Runtime {
  if (!runtime) throw new EngineError('NOT_LOADED', 'No model is loaded in the worker.');
  return runtime;
}

type LaneRequest = 'complete' | 'infill' | 'chat' | 'prefill';

/**
 * Runs `work` on a lane after what is already queued there; answers exactly once. `statsOf` reads the token
 * counts from the result (a generation's `stats`, or prefill's stats themselves).
 */
function enqueue<K extends LaneRequest>(
  request: RequestOf<K>, lane: Workload, supersedable: boolean,
  work: (signal: AbortSignal, onText: (t: string) => void) => Promise<ResultOf<K>>,
  statsOf: (result: ResultOf<K>) => GenerationStats,
  model: () => string,
) {
  if (shuttingDown) {
    send({ id: request.id, type: 'cancelled', partial: '', reason: 'shutdown' });
    return;
  }
  const controller = new AbortController();
  if (supersedable) {
    for (const entry of active.values()) {
      if (entry.lane === lane && entry.supersedable) entry.controller.abort('superseded');
    }
  }
  active.set(request.id, { controller, lane, supersedable: supersedable || request.type === 'prefill' });
  stats.requests[request.type] = (stats.requests[request.type] ?? 0) + 1;
  let partial = '';
  let answered = false;
  const answer = (message: Response) => {
    if (answered) return;
    answered = true;
    send(message);
  };
  // llama.cpp cannot be interrupted inside a decode call: the cancel is answered now, and the lane waits for
  // the slice in flight (which the work stops after).
  const answerCancelled = () => {
    if (answered) return;
    stats.cancelled++;
    const reason = controller.signal.reason === 'superseded' || controller.signal.reason === 'shutdown' ? controller.signal.reason : 'cancel';
    answer({ id: request.id, type: 'cancelled', partial, reason });
  };
  controller.signal.addEventListener('abort', answerCancelled, { once: true });
  const foreground = lane === 'completion' && request.type !== 'prefill';
  waiting[lane]++;
  const run = async () => {
    waiting[lane]--;
    const endForeground = foreground && !controller.signal.aborted ? runtime?.priority.begin() : undefined;
    let ran = false;
    try {
      if (controller.signal.aborted) throw new CancelledError('cancel');
      ran = true;
      const result = await work(controller.signal, (text) => {
        if (answered) return;
        partial += text;
        send({ id: request.id, type: 'chunk', text });
      });
      const generation = statsOf(result);
      stats.totalEvaluatedTokens += generation.evaluatedTokens;
      stats.totalGeneratedTokens += generation.generatedTokens;
      stats.last = { ...generation, type: request.type, model: model() };
      if (controller.signal.aborted) throw new CancelledError('cancel', partial);
      answer(doneReply(request.id, request.type, result));
    } catch (error) {
      if (controller.signal.aborted || error instanceof CancelledError) answerCancelled();
      else if (!answered) {
        answered = true;
        fail(request.id, error);
      }
    } finally {
      endForeground?.();
      controller.signal.removeEventListener('abort', answerCancelled);
      active.delete(request.id);
    }
    if (foreground && ran && controller.signal.reason === 'cancel') await continueStable();
  };
  const next = lanes[lane].then(run);
  lanes[lane] = next;
}

/** Background ids are negative: never a host request's id, so a cancel from the host cannot name one. */
let backgroundId = 0;

/**
 * A completion cancelled because the user typed on: keep evaluating its stable part until the next request on
 * the lane supersedes this (at its next slice) or it is done.
 */
async function continueStable(): Promise<void> {
  // A newer request is already queued: it continues from whatever is evaluated, with its own prompt.
  if (!runtime || shuttingDown || waiting.completion > 0) return;
  const controller = new AbortController();
  const id = --backgroundId;
  active.set(id, { controller, lane: 'completion', supersedable: true });
  try {
    const done = await runtime.continueStable(controller.signal);
    stats.backgroundEvaluatedTokens = (stats.backgroundEvaluatedTokens ?? 0) + done.evaluatedTokens;
    stats.totalEvaluatedTokens += done.evaluatedTokens;
  } catch (error) {
    if (!(error instanceof CancelledError)) log('debug', `background prefill stopped: ${(error as Error).message}`);
  } finally {
    active.delete(id);
  }
}

function activeThreads(): WorkerStats['activeThreads'] {
  const governor = runtime?.governor;
  if (!governor) return undefined;
  return { batch: governor.active('batch'), generation: governor.active('generation'), changes: governor.switches };
}

async function handle(request: Request): Promise<void> {
  switch (request.type) {
    case 'load': {
      logLevel = request.options.logLevel;
      stats.requests.load = (stats.requests.load ?? 0) + 1;
      try {
        if (!runtime) {
          loading ??= Runtime.load(request.options, log, (stage) => send({ type: 'loadProgress', stage }));
          runtime = await loading;
          log('info', `loaded ${runtime.info.name} (${runtime.info.architecture}) in ${runtime.info.loadMs} ms; ${runtime.info.threads} threads${runtime.info.batchThreads && runtime.info.batchThreads !== runtime.info.threads ? ` (${runtime.info.batchThreads} for prompts)` : ''} (${runtime.info.threadsReason}); context ${runtime.info.contextSize} tokens per workload; chat format ${runtime.info.chatWrapper}; FIM ${runtime.info.supportsInfill ? 'yes' : 'no'}`);
        }
        send(doneReply(request.id, 'load', runtime.info));
      } catch (error) {
        loading = undefined;
        fail(request.id, error);
      }
      return;
    }
    case 'complete':
      enqueue(request, request.workload, request.workload === 'completion', (signal, onText) =>
        requireRuntime().complete(request.workload, request.prompt, request.sampling, signal, onText, request.addBos ?? true), (r) => r.stats, modelName);
      return;
    case 'infill':
      enqueue(request, 'completion', true, (signal, onText) =>
        requireRuntime().infill({ prefix: request.prefix, suffix: request.suffix, layout: request.layout }, request.sampling, signal, onText), (r) => r.stats, modelName);
      return;
    case 'chat':
      enqueue(request, 'chat', false, (signal, onText) => requireRuntime().chat(request.messages, request.sampling, signal, onText), (r) => r.stats, modelName);
      return;
    case 'prefill':
      enqueue(request, request.workload, false, (signal) => requireRuntime().prefill(request.workload, request.prompt, signal), (r) => r, modelName);
      return;
    case 'countTokens':
      try {
        send(doneReply(request.id, 'countTokens', requireRuntime().countTokens(request.text)));
      } catch (error) {
        fail(request.id, error);
      }
      return;
    case 'cancel': {
      const target = active.get(request.targetId);
      target?.controller.abort('cancel');
      send(doneReply(request.id, 'cancel', target !== undefined));
      return;
    }
    case 'probe':
      try {
        send(doneReply(request.id, 'probe', await probe(request.models, request.gpu, probeLlama)));
      } catch (error) {
        fail(request.id, error);
      }
      return;
    case 'yieldToCompletion':
      runtime?.priority.setRemote(request.busy);
      send(doneReply(request.id, 'yieldToCompletion', runtime !== undefined));
      return;
    case 'ping':
      send(doneReply(request.id, 'ping', true));
      return;
    case 'stats':
      send(doneReply(request.id, 'stats', { ...stats, model: runtime?.info, activeThreads: activeThreads(), rssBytes: rss(), peakRssBytes: peakRss, uptimeMs: Math.round(performance.now() - started) }));
      return;
    case 'shutdown':
      shuttingDown = true;
      for (const entry of active.values()) entry.controller.abort('shutdown');
      await Promise.allSettled([lanes.completion, lanes.chat]);
      await runtime?.dispose();
      runtime = undefined;
      send(doneReply(request.id, 'shutdown', true));
      setTimeout(() => process.exit(0), 20);
      return;
    default: {
      const unknown: { id: number; type: string } = request;
      send({ id: unknown.id, type: 'error', code: 'BAD_REQUEST', message: `Unknown request type ${unknown.type}` });
    }
  }
}

process.on('message', (message: unknown) => {
  if (!isRequest(message)) {
    log('warn', `ignored a malformed message: ${JSON.stringify(message).slice(0, 200)}`);
    return;
  }
  void handle(message).catch((error) => fail(message.id, error));
});
// The host going away (crash or reload) must not leave an orphan holding hundreds of MiB.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
