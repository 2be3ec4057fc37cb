// The node-llama-cpp binary packages each platform VSIX carries (the names node-llama-cpp imports for that
// platform), shared by the packaging script and the content check. GPU builds: Metal is part of the macOS
// arm64 build; Vulkan ships beside the CPU build on Linux and Windows x64 (it drives NVIDIA, AMD and Intel
// GPUs, and both VSIXs stay near 40 MB). CUDA (linux-x64-cuda with -cuda-ext, win-x64-cuda with -cuda-ext:
// hundreds of MB) is not shipped: no VSIX under 80 MB could hold it, and Vulkan covers the same GPUs.
export const TARGETS = {
  'linux-x64': ['linux-x64', 'linux-x64-vulkan'],
  'linux-arm64': ['linux-arm64'],
  'darwin-arm64': ['mac-arm64-metal'],
  'darwin-x64': ['mac-x64'],
  'win32-x64': ['win-x64', 'win-x64-vulkan'],
  'win32-arm64': ['win-arm64'],
};

// Native code format and CPU each target runs (checked from each file's header).
export const NATIVE = {
  'linux-x64': { format: 'elf', cpu: 62 },
  'linux-arm64': { format: 'elf', cpu: 183 },
  'darwin-arm64': { format: 'macho', cpu: 0x0100000c },
  'darwin-x64': { format: 'macho', cpu: 0x01000007 },
  'win32-x64': { format: 'pe', cpu: 0x8664 },
  'win32-arm64': { format: 'pe', cpu: 0xaa64 },
};
