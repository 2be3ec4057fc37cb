/**
 * A model per job, measured: worker RSS with one model loaded and with two (one worker each), the time to switch
 * a job to another model, and node-llama-cpp's memory estimate (the probe) against the RSS each model's worker
 * actually reached. Prints JSON.
 *
 *   node esbuild.mjs && node dist/bench/twoModels.js --completion .cache/models/proxy-0.4B-q4_0-fim.gguf \
 *     [--assistant ../shared/models/stories260K-fim-chat.gguf] [--context 2048] [--threads 1]
 */
import * as path from 'node:path';
import type { Job } from '../src/common/protocol';
import { defaultEngineConfig, type EngineConfig } from '../src/engine/config';
import { JobEngines } from '../src/engine/jobEngines';
import { fimChatModel, plainModel, randomVocabModel, workerPath } from '../test/support/paths';
import { quietLog } from '../test/support/realEngine';
import { parseArgs, round } from './args';

const args = parseArgs(process.argv.slice(2));
const contextSize = Number(args.context ?? 2048);
const threads = Number(args.threads ?? 1);
const models: Record<Job, string> = {
  completion: path.resolve(String(args.completion ?? fimChatModel)),
  assistant: path.resolve(String(args.assistant ?? plainModel)),
};
const MiB = 1024 * 1024;

function engines(): JobEngines {
  const config = (job: Job): EngineConfig => ({ ...defaultEngineConfig, threads, contextSize, idleUnloadMinutes: 0, modelPath: models[job] });
  return new JobEngines({ workerPath, config, log: quietLog, freeMemory: () => Number.MAX_SAFE_INTEGER });
}

async function rssOf(jobs: JobEngines, job: Job): Promise<number> {
  return (await jobs.workerFor(job).stats())?.rssBytes ?? 0;
}

async function main(): Promise<void> {
  const jobs = engines();
  const completionModel = models.completion;
  const assistantModel = models.assistant;
  try {
    const probe = await jobs.probe([models.completion, models.assistant, randomVocabModel]);

    let t0 = performance.now();
    await jobs.engine('completion').complete('Once', { maxTokens: 1 });
    const loadOneMs = performance.now() - t0;
    const rssOne = await rssOf(jobs, 'completion');
    t0 = performance.now();
    await jobs.engine('assistant').complete('Once', { maxTokens: 1 });
    const loadSecondMs = performance.now() - t0;
    const rssTwo = rssOne + (await rssOf(jobs, 'assistant'));

    // Switching the assistant to another model: the next request waits for the new load.
    models.assistant = randomVocabModel;
    jobs.configurationChanged();
    t0 = performance.now();
    await jobs.engine('assistant').complete('Once', { maxTokens: 1 });
    const switchMs = performance.now() - t0;
    const rssSwitched = await rssOf(jobs, 'assistant');
    models.assistant = assistantModel;

    // The estimate against what the worker reached, above the bare runtime (a worker with the 260K model).
    const baselineJobs = engines();
    models.completion = plainModel;
    let baseline = 0;
    try {
      await baselineJobs.engine('completion').complete('Once', { maxTokens: 1 });
      baseline = await rssOf(baselineJobs, 'completion');
    } finally {
      await baselineJobs.stop();
    }
    const estimateFor = (file: string) => probe.models.find((m) => m.path === file);
    const compare = (file: string, rss: number) => {
      const estimate = estimateFor(file);
      const measured = Math.max(0, rss - baseline);
      return {
        model: path.basename(file),
        estimateMiB: round((estimate?.ramBytes ?? 0) / MiB, 1),
        rssMiB: round(rss / MiB, 1),
        rssAboveRuntimeMiB: round(measured / MiB, 1),
        errorVsMeasured: measured > 0 && estimate ? round((estimate.ramBytes - measured) / measured, 3) : null,
      };
    };
    console.log(JSON.stringify({
      contextSize, threads,
      machine: { totalRamMiB: round(probe.machine.totalRamBytes / MiB), freeRamMiB: round(probe.machine.freeRamBytes / MiB), cores: probe.machine.cores, gpu: probe.machine.gpu },
      oneModel: { model: path.basename(completionModel), loadMs: round(loadOneMs), rssMiB: round(rssOne / MiB, 1) },
      twoModels: { second: path.basename(assistantModel), loadSecondMs: round(loadSecondMs), rssMiB: round(rssTwo / MiB, 1) },
      switchAssistantModel: { to: path.basename(randomVocabModel), ms: round(switchMs), rssMiB: round(rssSwitched / MiB, 1) },
      runtimeBaselineRssMiB: round(baseline / MiB, 1),
      estimates: [compare(completionModel, rssOne), compare(randomVocabModel, rssSwitched)],
    }, null, 2));
  } finally {
    await jobs.stop();
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
