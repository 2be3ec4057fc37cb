/**
 * A stand-in for the Hugging Face hub for UI tests: a local HTTP server on 127.0.0.1 (test/support/fileServer.ts)
 * serving the fixture model under a catalog entry's `<repo>/resolve/main/<file>` path. `hearth.models.downloadBaseUrl`
 * points at the server, and use() makes that entry Hearth's catalog through the UI tests' hooks extension
 * (test/e2e/hooks-extension: a palette command that calls `models.testing.setCatalog`, as the integration tests do).
 *
 * `holdAtBytes` makes the download itself (the GET without a Range header; the header check asks for a range)
 * send that many bytes and then wait for release(): the test sees the progress notification mid-download for as
 * long as it needs, with no guess at how fast the machine is.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CatalogEntry } from '../../src/models/catalog';
import { FileServer, serveBytes } from '../support/fileServer';
import { fimChatModel } from '../support/paths';
import { runCommand, type Workbench } from './harness';

export interface TestHub {
  server: FileServer;
  entry: CatalogEntry;
  /** User settings for freshWorkbench(): downloads come from this server. */
  settings: Record<string, unknown>;
  /** The path a download of `entry` is requested at. */
  filePath: string;
  /** Full-file GETs (the download, not the header check) the server has answered or is answering. */
  downloads(): number;
  /** Makes `entry` Hearth's whole catalog in `wb` (the palette command of the hooks extension) and waits until it is. */
  use(wb: Workbench): Promise<void>;
  /** Lets a held download send the rest of the file. */
  release(): void;
  close(): Promise<void>;
}

export interface TestHubOptions {
  /** Catalog fields to change (jobs, name, file...). */
  entry?: Partial<CatalogEntry>;
  holdAtBytes?: number;
}

/** Serves stories260K-fim-chat.gguf (FIM tokens and a chat template, so it suits both jobs) as a catalog model. */
export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const body = fs.readFileSync(fimChatModel);
  const entry: CatalogEntry = {
    id: 'hearth-test-stories',
    jobs: ['completion', 'assistant'],
    name: 'Hearth Test Stories',
    publisher: 'Hearth tests',
    repo: 'hearth-test/stories',
    file: 'hearth-test-stories.gguf',
    sizeBytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    hashSource: 'publisher',
    license: 'MIT',
    gated: false,
    parameters: '0.26M',
    quantization: 'F32',
    contextLength: 512,
    fim: true,
    chatTemplate: true,
    quality: 1,
    why: 'The tiny fixture model, served by the test from 127.0.0.1.',
    ...options.entry,
  };
  const filePath = `/${entry.repo}/resolve/main/${entry.file}`;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = await FileServer.start((req, res) => {
    if (req.url !== filePath) return void res.writeHead(404).end();
    if (req.headers.range || options.holdAtBytes === undefined) return serveBytes(req, res, body);
    res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
    res.write(body.subarray(0, options.holdAtBytes));
    void released.then(() => res.end(body.subarray(options.holdAtBytes)));
  });
  return {
    server,
    entry,
    settings: { 'hearth.models.downloadBaseUrl': server.origin },
    filePath,
    downloads: () => server.requests.filter((r) => r.path === filePath && !r.headers.range).length,
    async use(wb) {
      const applied = path.join(wb.workspaceDir, '.hearth-catalog.applied');
      fs.rmSync(applied, { force: true });
      fs.writeFileSync(path.join(wb.workspaceDir, '.hearth-catalog.json'), JSON.stringify([entry], null, 2));
      await runCommand(wb.page, 'Hearth Test Hooks: Use Test Catalog');
      const until = Date.now() + 30_000;
      while (!(fs.existsSync(applied) && fs.readFileSync(applied, 'utf8') === entry.id)) {
        if (Date.now() > until) throw new Error('the hooks extension did not apply the test catalog within 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    release,
    async close() {
      release();
      await server.close();
    },
  };
}
