/**
 * Thread count for "auto". node-llama-cpp's default (max(cores, 4)) oversubscribes small machines and
 * collapses generation (0.4 tok/s on 2 cores), and on some CPUs a second thread makes tiny models 20× slower,
 * so "auto" measures each candidate once per machine and model size class and remembers the winner.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LlamaModel, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { chooseBatchThreads, chooseThreads, sizeClassOf, threadCandidates, type ThreadMeasurement } from './threadChoice';

export interface ThreadDecision {
  /** For generation. */
  threads: number;
  /** For prompt evaluation (batches). */
  batchThreads: number;
  reason: string;
  measurements?: ThreadMeasurement[];
}

interface CalibrationFile {
  [key: string]: { threads: number; measurements: ThreadMeasurement[]; at: string };
}

function machineKey(fileSize: number, gpu: string | false): string {
  const cpu = os.cpus()[0]?.model ?? 'cpu';
  return `v2|${cpu}|${os.cpus().length}|${sizeClassOf(fileSize)}|${gpu || 'cpu'}`;
}

function readCache(file: string | undefined): CalibrationFile {
  if (!file) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as CalibrationFile;
  } catch {
    return {};
  }
}

/** Tokens per second of generation and of prompt evaluation with `threads` threads. */
async function measure(model: LlamaModel, threads: number): Promise<ThreadMeasurement> {
  const context = await model.createContext({ contextSize: 512, threads, sequences: 1, batchSize: 128 });
  try {
    const sequence = context.getSequence();
    const text = 'The little robot walked to the garden and looked at the flowers. ';
    let prompt: Token[] = [];
    while (prompt.length < 96) prompt = prompt.concat(model.tokenize(text));
    prompt = prompt.slice(0, 96);
    // Warm-up: first evaluations pay one-off allocation costs.
    await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 8));
    await sequence.clearHistory();
    const p0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
    const promptMs = performance.now() - p0;
    let generated = 0;
    const g0 = performance.now();
    // Generation is measured for a fixed time or token count, whichever comes first.
    for await (const token of sequence.evaluate([prompt[prompt.length - 1]], { temperature: 0 })) {
      void token;
      generated++;
      if (generated >= 64 || performance.now() - g0 > 800) break;
    }
    const genMs = performance.now() - g0;
    return { threads, promptTps: ((prompt.length - 1) / promptMs) * 1000, generationTps: (generated / genMs) * 1000 };
  } finally {
    await context.dispose();
  }
}

export async function decideThreads(args: {
  setting: 'auto' | number;
  model: LlamaModel;
  fileSize: number;
  gpu: string | false;
  cacheFile?: string;
  log: (message: string) => void;
}): Promise<ThreadDecision> {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  if (typeof args.setting === 'number' && args.setting > 0) {
    // getLlama's maxThreads is the core count, so more than that would be reported but never used.
    const threads = Math.min(Math.floor(args.setting), cores);
    return { threads, batchThreads: threads, reason: 'from the hearth.threads setting' };
  }
  const key = machineKey(args.fileSize, args.gpu);
  const cache = readCache(args.cacheFile);
  const cached = cache[key];
  if (cached && Number.isInteger(cached.threads) && cached.threads >= 1 && cached.threads <= cores) {
    const batchThreads = Math.min(cores, chooseBatchThreads(cached.measurements ?? [], cached.threads));
    return { threads: cached.threads, batchThreads, reason: `measured earlier on this machine (${sizeClassOf(args.fileSize)} models)`, measurements: cached.measurements };
  }
  // Two interleaved rounds, best of each: a burst of load from the editor during one measurement must not
  // decide the thread count for good.
  const best = new Map<number, ThreadMeasurement>();
  for (let round = 0; round < 2; round++) {
    for (const threads of threadCandidates(cores)) {
      const m = await measure(args.model, threads);
      args.log(`threads ${threads} (round ${round + 1}): prompt ${m.promptTps.toFixed(0)} tok/s, generation ${m.generationTps.toFixed(1)} tok/s`);
      const prev = best.get(threads);
      best.set(threads, { threads, promptTps: Math.max(m.promptTps, prev?.promptTps ?? 0), generationTps: Math.max(m.generationTps, prev?.generationTps ?? 0) });
    }
  }
  const measurements = [...best.values()];
  const threads = chooseThreads(measurements, cores);
  if (args.cacheFile) {
    try {
      fs.mkdirSync(path.dirname(args.cacheFile), { recursive: true });
      cache[key] = { threads, measurements, at: new Date().toISOString() };
      fs.writeFileSync(args.cacheFile, JSON.stringify(cache, null, 2));
    } catch (error) {
      args.log(`could not remember the thread calibration: ${(error as Error).message}`);
    }
  }
  return { threads, batchThreads: chooseBatchThreads(measurements, threads), reason: `measured now (${measurements.map((m) => `${m.threads}t ${m.generationTps.toFixed(0)} tok/s`).join(', ')})`, measurements };
}
