// The suite's network guard (installed by index.ts before any test) must catch what it claims to: attempts planted
// here in the extension host and in a child process, of every kind it covers, while loopback stays reachable.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { suiteNetGuard } from '../support/suiteNetGuard';

/** A documentation address (TEST-NET-3, RFC 5737) and a name that never resolves: nothing real is ever reached. */
const REMOTE_IP = '203.0.113.7';
const REMOTE_NAME = 'hearth-offline-probe.invalid';

/** Resolves when the socket or request fails with the guard's refusal (as a real refused connection would). */
function refused(emitter: { once(event: 'error', listener: (error: Error) => void): unknown }): Promise<void> {
  return new Promise<void>((resolve, reject) => emitter.once('error', (error) => (/network access blocked/.test(error.message) ? resolve() : reject(error))));
}

describe('offline guard (extension host)', function () {
  this.timeout(30_000);

  it('refuses and reports every kind of connection that leaves the machine', async () => {
    const caught = await suiteNetGuard().planted(async () => {
      await refused(net.connect(443, REMOTE_IP));
      await refused(tls.connect(443, REMOTE_IP));
      // VS Code's proxy support wraps https and connects a moment later: the refusal arrives as the request's error.
      await refused(https.get(`https://${REMOTE_IP}/`));
      await assert.rejects(fetch(`https://${REMOTE_NAME}/model.gguf`), /network access blocked/);
      await assert.rejects(dns.promises.lookup(REMOTE_NAME), /network access blocked/);
      await new Promise<void>((resolve) => dns.lookup(REMOTE_NAME, (error) => (assert.match(String(error), /network access blocked/), resolve())));
      const udp = dgram.createSocket('udp4');
      try {
        assert.throws(() => udp.send('x', 53, REMOTE_IP), /network access blocked/);
      } finally {
        udp.close();
      }
    });
    assert.deepEqual(caught, [
      `connect ${REMOTE_IP}:443`,
      `connect ${REMOTE_IP}:443`,
      `connect ${REMOTE_IP}:443`,
      `fetch https://${REMOTE_NAME}/model.gguf`,
      `dns.lookup ${REMOTE_NAME}`,
      `dns.lookup ${REMOTE_NAME}`,
      `udp.send ${REMOTE_IP}`,
    ]);
  });

  it('is preloaded into the processes the extension host starts (the workers), whose attempts are reported too', async () => {
    assert.match(process.env.NODE_OPTIONS ?? '', /--require \S*netGuard\.cjs/);
    const caught = await suiteNetGuard().planted(() => {
      execFileSync(process.execPath, ['-e', `fetch('https://${REMOTE_NAME}/').catch(() => {}); require('node:net').connect(80, '${REMOTE_IP}').on('error', () => {});`], {
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: 'ignore',
      });
    });
    assert.deepEqual(caught.sort(), [`connect ${REMOTE_IP}:80`, `fetch https://${REMOTE_NAME}/`].sort());
  });

  it('lets loopback through, for the suite\'s own local servers', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const caught = await suiteNetGuard().planted(async () => {
        assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'ok');
        assert.equal(await (await fetch(`http://localhost:${port}/`).catch(() => fetch(`http://127.0.0.1:${port}/`))).text(), 'ok');
      });
      assert.deepEqual(caught, []);
    } finally {
      server.close();
    }
  });
});
