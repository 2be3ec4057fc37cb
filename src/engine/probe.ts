/**
 * Asks a short-lived worker what this machine offers and what each model would need there. The worker loads
 * llama.cpp's binding but no model, answers, and exits: the extension host itself never loads llama.cpp.
 */
import { EngineError } from '../common/errors';
import type { GpuSetting, ProbeResult } from '../common/protocol';
import { WorkerProcess, type Logger } from './workerProcess';

export async function probeModels(
  workerPath: string, log: Logger, models: Array<{ path: string; contextSize: number }>, gpu: GpuSetting, signal?: AbortSignal,
): Promise<ProbeResult> {
  const quiet = () => undefined;
  const worker = new WorkerProcess(workerPath, 'probe', undefined, log, { loaded: quiet, loadFailed: quiet, exited: quiet, activity: quiet });
  try {
    const died = worker.exit.then(() => {
      throw new EngineError('WORKER_CRASHED', 'The Hearth engine stopped while measuring this machine; see "Hearth: Show Log".');
    });
    await Promise.race([worker.started, died]);
    return await Promise.race([worker.send('probe', { models, gpu }, { signal }), died]);
  } finally {
    void worker.stop();
  }
}
