/** The header of a remote model, read before a download with a Range request, matches what the local reader says. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ggufFacts } from '../../src/common/gguf/ggufFacts';
import { readGgufHeader } from '../../src/common/gguf/ggufHeader';
import { remoteFacts } from '../../src/models/remoteHeader';
import { FileServer, serveBytes } from '../support/fileServer';
import { fimChatModel, plainModel } from '../support/paths';

describe('models: the remote header before a download', () => {
  it('reads architecture, FIM and chat template over HTTP Range, asking only for the header', async () => {
    const bodies: Record<string, Buffer> = { '/fim.gguf': fs.readFileSync(fimChatModel), '/plain.gguf': fs.readFileSync(plainModel) };
    const server = await FileServer.start((req, res) => serveBytes(req, res, bodies[req.url ?? ''] ?? Buffer.alloc(0)));
    try {
      const fim = await remoteFacts(`${server.origin}/fim.gguf`, bodies['/fim.gguf'].length);
      const local = ggufFacts(await readGgufHeader(fimChatModel));
      assert.equal(fim.architecture, local.architecture);
      assert.equal(fim.supportsFim, true);
      assert.equal(fim.hasChatTemplate, true);
      const plain = await remoteFacts(`${server.origin}/plain.gguf`, bodies['/plain.gguf'].length);
      assert.equal(plain.supportsFim, false);
      assert.equal(plain.hasChatTemplate, false);
      assert.ok(server.requests.every((r) => /^bytes=0-\d+$/.test(String(r.headers.range))), 'every request asked for a range');
    } finally {
      await server.close();
    }
  });
});
