/**
 * A real llama.cpp `llama-server` for the remote-engine tests: the one bench/native/build.sh builds from the
 * llama.cpp sources inside node-llama-cpp (test/run-all.sh builds it before the unit stage; cached). Started on
 * 127.0.0.1 at a free port with one thread and two slots, serving a fixture model; stopped after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fimChatModel, repoRoot } from './paths';

/** The built binary: $HEARTH_LLAMA_SERVER, or the newest .cache/llama-native/<commit>-<cpu>/bin/llama-server. */
export function llamaServerBinary(): string {
  const env = process.env.HEARTH_LLAMA_SERVER;
  if (env) return env;
  const root = path.join(repoRoot, '.cache', 'llama-native');
  const found = (fs.existsSync(root) ? fs.readdirSync(root) : [])
    .map((dir) => path.join(root, dir, 'bin', 'llama-server'))
    .filter((file) => fs.existsSync(file))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (!found[0]) throw new Error(`llama-server is not built: run "bash bench/native/build.sh" (looked in ${root})`);
  return found[0];
}

/** A port nothing listens on now (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface LlamaServerOptions {
  model?: string;
  port?: number;
  apiKey?: string;
  /** Total context; llama-server splits it over the slots. */
  contextSize?: number;
  /** Parallel slots (default 2) and threads (default 1). */
  slots?: number;
  threads?: number;
  extraArgs?: string[];
}

export interface LlamaServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** The server's recent output, for failure messages. */
  output(): string;
  /** SIGKILL, as a crash or an OOM kill would; resolves when the process is gone. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function startLlamaServer(options: LlamaServerOptions = {}): Promise<LlamaServer> {
  const port = options.port ?? (await freePort());
  const args = [
    '-m', options.model ?? fimChatModel, '--host', '127.0.0.1', '--port', String(port),
    '--threads', String(options.threads ?? 1), '--threads-batch', String(options.threads ?? 1), '-np', String(options.slots ?? 2),
    '-c', String(options.contextSize ?? 4096), '--no-webui',
    ...(options.apiKey ? ['--api-key', options.apiKey] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(llamaServerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  while (!(await healthy(url))) {
    if (gone) throw new Error(`llama-server exited before it was ready:\n${log}`);
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`llama-server did not become ready in 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const end = async (signal: NodeJS.Signals) => {
    if (!gone) child.kill(signal);
    // A graceful stop may wait on idle kept-alive connections; tests need it gone, not graceful.
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
  };
  return { url, port, process: child, output: () => log, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
