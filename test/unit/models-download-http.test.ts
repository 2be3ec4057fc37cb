import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadModel } from '../../src/models/download';
import { DownloadError } from '../../src/models/downloadErrors';
import { fetchRange } from '../../src/models/fetchRange';
import { modelUrl } from '../../src/models/modelUrl';
import { FileServer, serveBytes, type Handler } from '../support/fileServer';
import { plainModel } from '../support/paths';

const TOKEN_COMMAND = 'Hearth: Set Hugging Face Token';

describe('models: download over HTTP (statuses, redirects, mirrors, ranges)', () => {
  let body: Buffer;
  let dir: string;
  const servers: FileServer[] = [];

  before(() => {
    body = fs.readFileSync(plainModel);
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-dl-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function serve(handler: Handler): Promise<FileServer> {
    const s = await FileServer.start(handler);
    servers.push(s);
    return s;
  }
  const status = (code: number): Handler => (_req, res) => res.writeHead(code).end('no');
  const download = (url: string, headers?: Record<string, string>) => downloadModel({ url, destDir: dir, fileName: 'm.gguf', headers, retryDelayMs: 5 });
  async function downloadError(promise: Promise<unknown>): Promise<DownloadError> {
    const error = await promise.then(() => assert.fail('expected a rejection'), (e: Error) => e);
    assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${String(error)}`);
    return error;
  }

  it('404: says the file is not at that address and names the mirror setting', async () => {
    const s = await serve(status(404));
    const error = await downloadError(download(s.url('/org/repo/resolve/main/m.gguf')));
    assert.equal(error.code, 'NOT_FOUND');
    assert.equal(error.status, 404);
    assert.match(error.message, /not at http:\/\/127\.0\.0\.1:\d+\/org\/repo\/resolve\/main\/m\.gguf/);
    assert.match(error.message, /hearth\.models\.downloadBaseUrl/);
  });

  for (const code of [401, 403]) {
    it(`${code}: gated model; says to accept the licence on the model page and set a token`, async () => {
      const s = await serve(status(code));
      const error = await downloadError(download(s.url('/org/repo/resolve/main/m.gguf')));
      assert.equal(error.code, 'UNAUTHORIZED');
      assert.equal(error.status, code);
      assert.ok(error.message.includes(TOKEN_COMMAND), error.message);
      assert.ok(error.message.includes(`licence on its Hugging Face page (${s.url('/org/repo')})`), error.message);
    });
  }

  it('another status says which, with a hint for server errors', async () => {
    const s = await serve(status(503));
    const error = await downloadError(download(s.url('/m.gguf')));
    assert.equal(error.code, 'HTTP_STATUS');
    assert.match(error.message, /HTTP 503.*try again later/);
  });

  it('a refused connection is CONNECTION_REFUSED', async () => {
    const s = await serve(status(200));
    const url = s.url('/m.gguf');
    await servers.pop()!.close();
    assert.equal((await downloadError(download(url))).code, 'CONNECTION_REFUSED');
  });

  it('a mirror base URL: modelUrl builds the address and the download comes from the mirror', async () => {
    const s = await serve((req, res) => (req.url?.startsWith('/mirror/org/repo-GGUF/resolve/main/') ? serveBytes(req, res, body) : res.writeHead(404).end()));
    const url = modelUrl({ repo: 'org/repo-GGUF', file: 'stories260K.gguf' }, s.url('/mirror/'));
    const result = await download(url);
    assert.equal(s.requests[0].path, '/mirror/org/repo-GGUF/resolve/main/stories260K.gguf');
    assert.equal(result.sizeBytes, body.length);
  });

  it('follows a redirect to another path, keeping Range and Authorization on the same origin', async () => {
    fs.writeFileSync(path.join(dir, 'm.gguf.partial'), body.subarray(0, 1000));
    const s = await serve((req, res) => (req.url === '/old' ? res.writeHead(302, { location: '/new/m.gguf' }).end() : serveBytes(req, res, body)));
    const result = await download(s.url('/old'), { Authorization: 'Bearer secret' });
    assert.equal(result.resumedFrom, 1000);
    assert.deepEqual(s.requests.map((r) => [r.path, r.headers.range, r.headers.authorization]), [
      ['/old', 'bytes=1000-', 'Bearer secret'],
      ['/new/m.gguf', 'bytes=1000-', 'Bearer secret'],
    ]);
    assert.ok(fs.readFileSync(result.path).equals(body));
  });

  it('drops Authorization (and keeps Range) on a redirect to another origin, like the hub to its CDN', async () => {
    fs.writeFileSync(path.join(dir, 'm.gguf.partial'), body.subarray(0, 1000));
    const cdn = await serve((req, res) => serveBytes(req, res, body));
    const hub = await serve((_req, res) => res.writeHead(302, { location: cdn.url('/blob?sig=1') }).end());
    await download(hub.url('/org/repo/resolve/main/m.gguf'), { Authorization: 'Bearer secret' });
    assert.equal(hub.requests[0].headers.authorization, 'Bearer secret');
    assert.equal(cdn.requests[0].headers.authorization, undefined);
    assert.equal(cdn.requests[0].headers.range, 'bytes=1000-');
    assert.equal(cdn.requests[0].path, '/blob?sig=1');
  });

  it('stops after too many redirects', async () => {
    const s = await serve((req, res) => res.writeHead(302, { location: `${req.url}x` }).end());
    const error = await downloadError(downloadModel({ url: s.url('/a'), destDir: dir, fileName: 'm.gguf', maxRedirects: 3 }));
    assert.equal(error.code, 'TOO_MANY_REDIRECTS');
    assert.equal(s.requests.length, 4);
  });

  it('refuses addresses that are not http(s)', async () => {
    assert.equal((await downloadError(download('file:///etc/passwd'))).code, 'INVALID_REQUEST');
    assert.equal((await downloadError(download('not a url'))).code, 'INVALID_REQUEST');
  });

  describe('fetchRange', () => {
    it('reads the first bytes of a remote GGUF with a Range request', async () => {
      const s = await serve((req, res) => serveBytes(req, res, body));
      const head = await fetchRange(s.url('/m.gguf'), 0, 15);
      assert.ok(head.equals(body.subarray(0, 16)));
      assert.equal(head.subarray(0, 4).toString('latin1'), 'GGUF');
      assert.equal(s.requests[0].headers.range, 'bytes=0-15');
    });
    it('reads a middle range, and only as far as the file goes', async () => {
      const s = await serve((req, res) => serveBytes(req, res, body));
      assert.ok((await fetchRange(s.url('/m'), 1000, 1999)).equals(body.subarray(1000, 2000)));
      assert.ok((await fetchRange(s.url('/m'), body.length - 10, body.length + 100)).equals(body.subarray(body.length - 10)));
      assert.equal((await fetchRange(s.url('/m'), body.length + 5, body.length + 10)).length, 0);
    });
    it('cuts the range out of a 200 answer from a server that ignores Range', async () => {
      const s = await serve((req, res) => serveBytes(req, res, body, { ignoreRange: true }));
      assert.ok((await fetchRange(s.url('/m'), 100, 163)).equals(body.subarray(100, 164)));
    });
    it('follows redirects and passes headers', async () => {
      const s = await serve((req, res) => (req.url === '/r' ? res.writeHead(307, { location: '/m' }).end() : serveBytes(req, res, body)));
      await fetchRange(s.url('/r'), 0, 3, { headers: { authorization: 'Bearer t' } });
      assert.equal(s.requests[1].headers.authorization, 'Bearer t');
    });
    it('throws the download errors (401 names the token command)', async () => {
      const s = await serve(status(401));
      const error = await downloadError(fetchRange(s.url('/org/repo/resolve/main/m.gguf'), 0, 3));
      assert.equal(error.code, 'UNAUTHORIZED');
      assert.ok(error.message.includes(TOKEN_COMMAND));
    });
    it('downloads forbidden: no connection', async () => {
      const s = await serve((req, res) => serveBytes(req, res, body));
      assert.equal((await downloadError(fetchRange(s.url('/m'), 0, 3, { allowDownloads: false }))).code, 'DOWNLOADS_FORBIDDEN');
      assert.equal(s.connections, 0);
    });
    it('refuses a reversed range', async () => {
      assert.equal((await downloadError(fetchRange('http://127.0.0.1:1/m', 10, 5))).code, 'INVALID_REQUEST');
    });
  });
});
