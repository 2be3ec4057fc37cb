import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCancelled } from '../../src/common/errors';
import { downloadModel, partialPathOf, type DownloadRequest } from '../../src/models/download';
import { DownloadError, isDownloadError } from '../../src/models/downloadErrors';
import type { DownloadProgress } from '../../src/models/downloadProgress';
import { FileServer, serveBytes, type Handler } from '../support/fileServer';
import { plainModel } from '../support/paths';

const FILE = 'model.gguf';

describe('models: downloadModel', () => {
  let body: Buffer;
  let sha: string;
  let dir: string;
  let server: FileServer | undefined;

  before(() => {
    body = fs.readFileSync(plainModel);
    sha = createHash('sha256').update(body).digest('hex');
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-dl-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function serve(handler: Handler): Promise<FileServer> {
    server = await FileServer.start(handler);
    return server;
  }
  const request = (s: FileServer, extra: Partial<DownloadRequest> = {}): DownloadRequest => ({
    url: s.url('/m.gguf'),
    destDir: dir,
    fileName: FILE,
    expectedSha256: sha,
    retryDelayMs: 5,
    ...extra,
  });
  const partialPath = () => partialPathOf(dir, FILE);
  const finalPath = () => path.join(dir, FILE);
  async function rejection(promise: Promise<unknown>): Promise<Error> {
    return promise.then(
      () => assert.fail('expected a rejection'),
      (e: Error) => e,
    );
  }
  async function downloadError(promise: Promise<unknown>): Promise<DownloadError> {
    const error = await rejection(promise);
    assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${String(error)}`);
    return error;
  }

  it('downloads, verifies the sha256, reports progress and leaves no partial file', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body));
    const seen: DownloadProgress[] = [];
    const result = await downloadModel(request(s, { expectedSize: body.length, onProgress: (p) => seen.push(p), progressIntervalMs: 0 }));
    assert.deepEqual(result, { path: finalPath(), sha256: sha, sizeBytes: body.length, resumedFrom: 0 });
    assert.ok(fs.readFileSync(finalPath()).equals(body));
    assert.equal(fs.existsSync(partialPath()), false);
    assert.ok(seen.length >= 2, `progress calls: ${seen.length}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].receivedBytes >= seen[i - 1].receivedBytes);
    const last = seen[seen.length - 1];
    assert.equal(last.receivedBytes, body.length);
    assert.equal(last.totalBytes, body.length);
    assert.equal(last.etaSeconds, 0);
    assert.equal(s.requests[0].headers.range, undefined);
  });

  it('resumes with a Range request after the server drops the connection mid-file', async () => {
    const drop = 300_000;
    const s = await serve((req, res, i) => serveBytes(req, res, body, i === 0 ? { dropAfter: drop } : {}));
    const result = await downloadModel(request(s));
    assert.equal(result.sha256, sha);
    assert.equal(s.requests.length, 2);
    const range = /^bytes=(\d+)-$/.exec(String(s.requests[1].headers.range));
    assert.ok(range, `second request's Range: ${s.requests[1].headers.range}`);
    assert.ok(Number(range[1]) > 0 && Number(range[1]) <= drop);
    assert.ok(fs.readFileSync(finalPath()).equals(body));
  });

  it('gives up with CONNECTION_LOST after its retries, keeping the partial file', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body, { dropAfter: 1000 }));
    const error = await downloadError(downloadModel(request(s, { resumeRetries: 2 })));
    assert.equal(error.code, 'CONNECTION_LOST');
    assert.equal(s.requests.length, 3);
    assert.ok(fs.statSync(partialPath()).size > 0);
  });

  it('resumes a partial file an earlier call left: hashes it first and asks only for the rest', async () => {
    const kept = 500_000;
    fs.writeFileSync(partialPath(), body.subarray(0, kept));
    const s = await serve((req, res) => serveBytes(req, res, body));
    const result = await downloadModel(request(s));
    assert.equal(result.resumedFrom, kept);
    assert.equal(result.sha256, sha);
    assert.equal(s.requests[0].headers.range, `bytes=${kept}-`);
  });

  it('restarts from zero when the server answers 200 to a Range request, and still verifies', async () => {
    fs.writeFileSync(partialPath(), Buffer.alloc(400_000, 7));
    const s = await serve((req, res) => serveBytes(req, res, body, { ignoreRange: true }));
    const result = await downloadModel(request(s));
    assert.equal(s.requests[0].headers.range, 'bytes=400000-');
    assert.equal(result.resumedFrom, 0);
    assert.equal(result.sha256, sha);
    assert.ok(fs.readFileSync(finalPath()).equals(body));
  });

  it('a 416 for a partial file that already is the whole file finishes without downloading', async () => {
    fs.writeFileSync(partialPath(), body);
    const s = await serve((req, res) => serveBytes(req, res, body));
    const result = await downloadModel(request(s));
    assert.equal(result.sha256, sha);
    assert.equal(result.resumedFrom, body.length);
    assert.equal(s.requests.length, 1);
  });

  it('a 416 for a partial file longer than the remote one starts over', async () => {
    fs.writeFileSync(partialPath(), Buffer.alloc(body.length + 10));
    const s = await serve((req, res) => serveBytes(req, res, body));
    const result = await downloadModel(request(s));
    assert.equal(result.sha256, sha);
    assert.deepEqual(s.requests.map((r) => r.headers.range), [`bytes=${body.length + 10}-`, undefined]);
  });

  it('a wrong sha256 deletes the partial file and throws HASH_MISMATCH', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body));
    const error = await downloadError(downloadModel(request(s, { expectedSha256: 'ab'.repeat(32) })));
    assert.equal(error.code, 'HASH_MISMATCH');
    assert.match(error.message, /deleted/);
    assert.equal(fs.existsSync(partialPath()), false);
    assert.equal(fs.existsSync(finalPath()), false);
  });

  it('a size other than the expected one throws SIZE_MISMATCH before downloading the body', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body));
    const error = await downloadError(downloadModel(request(s, { expectedSize: body.length + 1 })));
    assert.equal(error.code, 'SIZE_MISMATCH');
    assert.equal(fs.existsSync(partialPath()), false);
  });

  it('a server that stalls mid-body trips the stall timeout; the partial is kept and a later call resumes', async () => {
    const s = await serve((req, res, i) => serveBytes(req, res, body, i === 0 ? { stallAfter: 200_000 } : {}));
    const started = Date.now();
    const error = await downloadError(downloadModel(request(s, { stallTimeoutMs: 150 })));
    assert.equal(error.code, 'STALLED');
    assert.ok(Date.now() - started < 5000);
    const kept = fs.statSync(partialPath()).size;
    assert.ok(kept > 0 && kept <= 200_000);
    const result = await downloadModel(request(s));
    assert.equal(result.resumedFrom, kept);
    assert.equal(result.sha256, sha);
  });

  it('a server that never answers trips the stall timeout', async () => {
    const s = await serve(() => undefined);
    const error = await downloadError(downloadModel(request(s, { stallTimeoutMs: 100 })));
    assert.equal(error.code, 'STALLED');
  });

  it('a connection that never completes trips the connect timeout', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body));
    const connect = net.Socket.prototype.connect;
    // A socket left connecting forever, as behind a firewall that drops packets.
    net.Socket.prototype.connect = function (this: net.Socket) {
      (this as { connecting: boolean }).connecting = true;
      return this;
    } as typeof connect;
    try {
      const error = await downloadError(downloadModel(request(s, { connectTimeoutMs: 100 })));
      assert.equal(error.code, 'CONNECT_TIMEOUT');
      assert.match(error.message, /Could not connect to 127\.0\.0\.1:\d+ within 0\.1 s/);
    } finally {
      net.Socket.prototype.connect = connect;
    }
    assert.equal(s.connections, 0);
  });

  it('a quiet connection keeps reporting progress: every byte received, the speed falling', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body, { stallAfter: 200_000 }));
    const controller = new AbortController();
    const atStall: DownloadProgress[] = [];
    const onProgress = (p: DownloadProgress) => {
      if (p.receivedBytes === 200_000) atStall.push(p);
      // Two reports after the last byte, the later one slower: only a timer can send them.
      if (atStall.length >= 2 && atStall.at(-1)!.bytesPerSecond < atStall[0].bytesPerSecond) controller.abort();
    };
    const error = await rejection(downloadModel(request(s, { signal: controller.signal, onProgress, progressIntervalMs: 100, stallTimeoutMs: 20_000 })));
    assert.ok(isCancelled(error), String(error));
    assert.ok(atStall.length >= 2, `${atStall.length} reports after the connection went quiet`);
  });

  it('cancel mid-download rejects with CancelledError and keeps the partial file for a resume', async () => {
    const s = await serve((req, res, i) => serveBytes(req, res, body, i === 0 ? { stallAfter: 300_000 } : {}));
    const controller = new AbortController();
    const onProgress = (p: DownloadProgress) => p.receivedBytes > 0 && controller.abort();
    const error = await rejection(downloadModel(request(s, { signal: controller.signal, onProgress, progressIntervalMs: 0 })));
    assert.ok(isCancelled(error), String(error));
    const kept = fs.statSync(partialPath()).size;
    assert.ok(kept > 0);
    assert.equal(fs.existsSync(finalPath()), false);
    const result = await downloadModel(request(s));
    assert.equal(result.resumedFrom, kept);
    assert.equal(result.sha256, sha);
  });

  it('an already aborted signal sends nothing', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body));
    const error = await rejection(downloadModel(request(s, { signal: AbortSignal.abort() })));
    assert.ok(isCancelled(error));
    assert.equal(s.connections, 0);
  });

  it('refuses before connecting when the disk is too small for the expected size', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body));
    const error = await downloadError(downloadModel(request(s, { expectedSize: body.length, freeBytes: async () => 1000 })));
    assert.equal(error.code, 'DISK_FULL');
    assert.match(error.message, /Not enough disk space/);
    assert.equal(s.connections, 0);
  });

  it('checks the disk against the size the server announces when none is expected', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body));
    const asked: string[] = [];
    const freeBytes = async (d: string) => (asked.push(d), 1000);
    const error = await downloadError(downloadModel(request(s, { freeBytes })));
    assert.equal(error.code, 'DISK_FULL');
    assert.deepEqual(asked, [dir]);
    assert.equal(fs.existsSync(partialPath()), false);
  });

  it('ENOSPC while writing becomes DISK_FULL', async function () {
    if (!fs.existsSync('/dev/full')) this.skip();
    fs.symlinkSync('/dev/full', partialPath());
    const s = await serve((req, res) => serveBytes(req, res, body));
    const error = await downloadError(downloadModel(request(s)));
    assert.equal(error.code, 'DISK_FULL');
    assert.match(error.message, /disk is full/);
  });

  it('downloads forbidden: throws before any connection', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body));
    const error = await downloadError(downloadModel(request(s, { allowDownloads: false })));
    assert.equal(error.code, 'DOWNLOADS_FORBIDDEN');
    assert.match(error.message, /hearth\.network\.allowDownloads/);
    assert.equal(s.connections, 0);
    assert.equal(fs.existsSync(partialPath()), false);
  });

  it('refuses a file name with a path in it', async () => {
    const s = await serve((req, res) => serveBytes(req, res, body));
    for (const fileName of ['../x.gguf', 'a/b.gguf', '..', '']) {
      assert.equal((await downloadError(downloadModel(request(s, { fileName })))).code, 'INVALID_REQUEST');
    }
    assert.equal(s.connections, 0);
  });

  it('a complete partial file with the expected size is verified without the network', async () => {
    fs.writeFileSync(partialPath(), body);
    const s = await serve((req, res) => serveBytes(req, res, body));
    const result = await downloadModel(request(s, { expectedSize: body.length }));
    assert.equal(result.sha256, sha);
    assert.equal(s.connections, 0);
  });

  it('isDownloadError tells codes apart', () => {
    const e = new DownloadError('NOT_FOUND', 'x');
    assert.ok(isDownloadError(e) && isDownloadError(e, 'NOT_FOUND') && !isDownloadError(e, 'STALLED'));
    assert.ok(!isDownloadError(new Error('x')));
  });
});
