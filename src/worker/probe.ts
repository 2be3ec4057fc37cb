/**
 * What this machine offers and what a model would need there, from node-llama-cpp itself (its RAM/VRAM state and
 * the GGUF insights its own loader uses to pick GPU layers and context), not from a rule of thumb. Runs in a
 * worker with no model loaded, so the editor can rank models before it loads any.
 */
import * as os from 'node:os';
import type { Llama } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { GpuSetting, ModelEstimate, ProbeResult } from '../common/protocol';
import { checkHeader } from './headerCheck';
import { CHECK_TIMEOUT_MS } from './modelFile';

/** Two sequences: completion and chat each keep their own KV cache (see runtime.ts). */
const SEQUENCES = 2;

export async function probe(models: Array<{ path: string; contextSize: number }>, gpu: GpuSetting, getLlama: (gpu: GpuSetting) => Promise<Llama>): Promise<ProbeResult> {
  const lib = await import('node-llama-cpp');
  const llama = await getLlama(gpu);
  const ram = await llama.getRamState();
  const vram = llama.gpu ? await llama.getVramState() : undefined;
  const machine: ProbeResult['machine'] = {
    totalRamBytes: ram.total,
    freeRamBytes: ram.free,
    cores: os.availableParallelism(),
    gpu: llama.gpu,
    vram: vram ? { totalBytes: vram.total, freeBytes: vram.free, unifiedBytes: vram.unifiedSize } : undefined,
  };
  const estimates: ModelEstimate[] = [];
  for (const model of models) {
    try {
      // The bounded check first: node-llama-cpp's reader trusts the header's counts (see headerCheck.ts).
      const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
      await checkHeader(model.path, signal);
      const info = await lib.readGgufFileInfo(model.path, { sourceType: 'filesystem', signal, fetchRetryOptions: { retries: 0 } });
      const insights = await lib.GgufInsights.from(info, llama);
      const resolved = await insights.configurationResolver.resolveAndScoreConfig({ targetContextSize: model.contextSize });
      const modelNeeds = insights.estimateModelResourceRequirements({ gpuLayers: resolved.resolvedValues.gpuLayers });
      const contextNeeds = insights.estimateContextResourceRequirements({ contextSize: model.contextSize, modelGpuLayers: resolved.resolvedValues.gpuLayers, sequences: SEQUENCES });
      estimates.push({
        path: model.path,
        ramBytes: modelNeeds.cpuRam + contextNeeds.cpuRam,
        vramBytes: modelNeeds.gpuVram + contextNeeds.gpuVram,
        gpuLayers: resolved.resolvedValues.gpuLayers,
        compatibilityScore: resolved.compatibilityScore,
      });
    } catch (error) {
      estimates.push({ path: model.path, ramBytes: 0, vramBytes: 0, gpuLayers: 0, compatibilityScore: 0, error: (error as Error).message });
    }
  }
  return { machine, models: estimates };
}
