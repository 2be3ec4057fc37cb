import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { CancelledError } from '../../src/common/errors';
import { parseContentRange } from '../../src/models/contentRange';
import { DISK_MARGIN_BYTES, ensureFreeSpace, formatBytes, statfsFreeBytes } from '../../src/models/diskSpace';
import { DownloadError, errorForNetwork, errorForStatus, errorForWrite, modelPageOf } from '../../src/models/downloadErrors';
import { describeProgress, ProgressMeter } from '../../src/models/downloadProgress';
import { modelUrl } from '../../src/models/modelUrl';

const errno = (code: string) => Object.assign(new Error(`fake ${code}`), { code });
const URL = 'https://huggingface.co/org/repo/resolve/main/f.gguf';

describe('models: download parts', () => {
  describe('modelUrl', () => {
    it('builds the Hugging Face resolve address', () => {
      assert.equal(
        modelUrl({ repo: 'Qwen/Qwen2.5-Coder-0.5B-GGUF', file: 'qwen2.5-coder-0.5b-q8_0.gguf' }),
        'https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-GGUF/resolve/main/qwen2.5-coder-0.5b-q8_0.gguf',
      );
    });
    it('takes a mirror base with or without a trailing slash, and escapes each path segment', () => {
      const entry = { repo: 'org/repo', file: 'sub dir/a#b.gguf' };
      const expected = 'https://mirror.example/hf/org/repo/resolve/main/sub%20dir/a%23b.gguf';
      assert.equal(modelUrl(entry, 'https://mirror.example/hf/'), expected);
      assert.equal(modelUrl(entry, ' https://mirror.example/hf '), expected);
      assert.equal(modelUrl(entry, 'https://mirror.example/hf', 'v1.0'), expected.replace('/main/', '/v1.0/'));
    });
  });

  describe('errors', () => {
    it('maps socket and DNS failures to codes with a host in the message', () => {
      const cases: [string, string][] = [
        ['ENOTFOUND', 'DNS_FAILED'],
        ['EAI_AGAIN', 'OFFLINE'],
        ['ENETUNREACH', 'OFFLINE'],
        ['ECONNREFUSED', 'CONNECTION_REFUSED'],
        ['ETIMEDOUT', 'CONNECT_TIMEOUT'],
        ['ECONNRESET', 'CONNECTION_LOST'],
        ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS_FAILED'],
        ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS_FAILED'],
        ['EWHATEVER', 'NETWORK_FAILED'],
      ];
      for (const [code, expected] of cases) {
        const error = errorForNetwork(errno(code), URL) as DownloadError;
        assert.equal(error.code, expected, code);
        assert.ok(error.message.includes('huggingface.co'), error.message);
        assert.equal(error.url, URL);
      }
    });
    it('lets DownloadErrors and cancellations through unchanged', () => {
      const d = new DownloadError('STALLED', 'x');
      const c = new CancelledError('cancel');
      assert.equal(errorForNetwork(d, URL), d);
      assert.equal(errorForNetwork(c, URL), c);
    });
    it('statuses', () => {
      assert.equal(errorForStatus(401, URL).code, 'UNAUTHORIZED');
      assert.match(errorForStatus(403, URL).message, /https:\/\/huggingface\.co\/org\/repo\).*"Hearth: Set Hugging Face Token"/);
      assert.equal(errorForStatus(404, URL).code, 'NOT_FOUND');
      assert.equal(errorForStatus(500, URL).code, 'HTTP_STATUS');
      assert.match(errorForStatus(429, URL).message, /Too many requests/);
    });
    it('the model page is the address before /resolve/', () => {
      assert.equal(modelPageOf(URL), 'https://huggingface.co/org/repo');
      assert.equal(modelPageOf('https://cdn.example/blob'), undefined);
    });
    it('ENOSPC and EDQUOT become DISK_FULL; other write errors pass through', () => {
      assert.equal((errorForWrite(errno('ENOSPC'), '/models') as DownloadError).code, 'DISK_FULL');
      assert.equal((errorForWrite(errno('EDQUOT'), '/models') as DownloadError).code, 'DISK_FULL');
      const other = errno('EACCES');
      assert.equal(errorForWrite(other, '/models'), other);
    });
  });

  describe('Content-Range', () => {
    it('parses ranges, unknown sizes and the 416 form', () => {
      assert.deepEqual(parseContentRange('bytes 100-199/1000'), { start: 100, end: 199, size: 1000 });
      assert.deepEqual(parseContentRange('bytes 0-0/*'), { start: 0, end: 0, size: undefined });
      assert.deepEqual(parseContentRange('bytes */1000'), { start: undefined, end: undefined, size: 1000 });
      assert.equal(parseContentRange(undefined), undefined);
      assert.equal(parseContentRange('items 0-1/2'), undefined);
    });
  });

  describe('progress meter', () => {
    it('measures speed over the recent window and the time left', () => {
      let now = 0;
      const meter = new ProgressMeter(1000, 11_000, () => now);
      assert.deepEqual(meter.snapshot(), { receivedBytes: 1000, totalBytes: 11_000, bytesPerSecond: 0, etaSeconds: undefined });
      for (let i = 0; i < 10; i++) {
        now += 500;
        meter.add(500);
      }
      const p = meter.snapshot();
      assert.equal(p.receivedBytes, 6000);
      assert.equal(p.bytesPerSecond, 1000);
      assert.equal(p.etaSeconds, 5);
      // The connection slows down: the speed follows within the window instead of averaging since the start.
      for (let i = 0; i < 20; i++) {
        now += 500;
        meter.add(50);
      }
      assert.ok(Math.abs(meter.snapshot().bytesPerSecond - 100) < 1e-9, String(meter.snapshot().bytesPerSecond));
    });
    it('while nothing arrives the speed falls to 0 and the time left goes away', () => {
      let now = 0;
      const meter = new ProgressMeter(0, 10_000, () => now);
      for (let i = 0; i < 10; i++) {
        now += 100;
        meter.add(100);
      }
      assert.equal(meter.snapshot().bytesPerSecond, 1000);
      now += 2_500;
      assert.ok(meter.snapshot().bytesPerSecond < 1000, 'a quiet connection still shows its last speed');
      now += 5_000;
      assert.deepEqual(meter.snapshot(), { receivedBytes: 1000, totalBytes: 10_000, bytesPerSecond: 0, etaSeconds: undefined });
    });
    it('without a total there is no time left; at the end it is 0', () => {
      let now = 0;
      const open = new ProgressMeter(0, undefined, () => now);
      now = 1000;
      open.add(10);
      assert.equal(open.snapshot().etaSeconds, undefined);
      const done = new ProgressMeter(0, 10, () => now);
      done.add(10);
      assert.equal(done.snapshot().etaSeconds, 0);
    });
    it('merges samples closer than 100 ms and still measures the speed', () => {
      let now = 0;
      const meter = new ProgressMeter(0, undefined, () => now);
      for (let i = 0; i < 100_000; i++) {
        now += 0.1;
        meter.add(1);
      }
      assert.ok(Math.abs(meter.snapshot().bytesPerSecond - 10_000) < 1);
    });
    it("the notification's line says the sizes, the share done, the speed and the time left", () => {
      const line = describeProgress({ receivedBytes: 512 * 1024, totalBytes: 2 * 1024 * 1024, bytesPerSecond: 256 * 1024, etaSeconds: 6 }, 1);
      assert.equal(line.percent, 25);
      assert.equal(line.message, '512.0 KB of 2.0 MB (25 %) at 256.0 KB/s, 6 s left');
      // No length from the server: the catalog's size stands in; never past 100 %.
      assert.equal(describeProgress({ receivedBytes: 3000, totalBytes: undefined, bytesPerSecond: 0, etaSeconds: undefined }, 2000).message, '2.9 KB of 2.0 KB (100 %) at 0 B/s');
    });
  });

  describe('disk space', () => {
    it('needs the remaining bytes plus the margin', async () => {
      await ensureFreeSpace('/d', 1000, async () => 1000 + DISK_MARGIN_BYTES);
      await assert.rejects(ensureFreeSpace('/d', 1001, async () => 1000 + DISK_MARGIN_BYTES), (e: DownloadError) => e.code === 'DISK_FULL');
      await ensureFreeSpace('/d', 0, async () => 0);
    });
    it('reads the real free space with statfs', async () => {
      assert.ok((await statfsFreeBytes(os.tmpdir())) > 0);
    });
    it('formats sizes for messages', () => {
      assert.equal(formatBytes(512), '512 B');
      assert.equal(formatBytes(1536), '1.5 KB');
      assert.equal(formatBytes(64 * 1024 * 1024), '64.0 MB');
      assert.equal(formatBytes(2.5 * 1024 ** 3), '2.5 GB');
    });
  });
});
