/**
 * Says which compute device llama.cpp runs on and, when `hearth.gpu: auto` ends on the CPU, why: no GPU driver
 * on this machine, or none this VSIX has a build for (each platform VSIX carries only its own builds), or a
 * build that was there but did not start.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

type Gpu = string | false;

/** The GPU kinds node-llama-cpp's binary packages in `<extension>/node_modules/@node-llama-cpp` provide. */
export function gpuBuildsIn(extensionRoot: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(extensionRoot, 'node_modules', '@node-llama-cpp'));
  } catch {
    return [];
  }
  const kinds = new Set<string>();
  for (const name of names) {
    for (const kind of ['cuda', 'vulkan', 'metal']) if (name.includes(kind)) kinds.add(kind);
  }
  return [...kinds].sort();
}

export function describeGpuChoice(setting: 'auto' | 'off', used: Gpu, driversFound: readonly Gpu[], builds: readonly string[]): string {
  if (used) return `llama.cpp runs on the GPU (${used})`;
  if (setting === 'off') return 'llama.cpp runs on the CPU (hearth.gpu is off)';
  const drivers = driversFound.filter((g): g is string => g !== false);
  if (drivers.length === 0) return 'llama.cpp runs on the CPU: no GPU driver (CUDA, Vulkan or Metal) was found on this machine';
  const usable = drivers.filter((d) => builds.includes(d));
  if (usable.length === 0) {
    return `llama.cpp runs on the CPU: this machine has ${drivers.join(', ')}, but this build of Hearth carries GPU support for ${builds.length > 0 ? builds.join(', ') : 'none'}`;
  }
  return `llama.cpp runs on the CPU: the ${usable.join(', ')} build did not start on this machine (hearth.logLevel: debug shows llama.cpp's messages)`;
}
