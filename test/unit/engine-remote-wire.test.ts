/**
 * The remote engine's wire handling against servers that misbehave in ways a real llama-server will not on
 * demand: a malformed stream, a stream cut off before its end, an error event inside a stream, a 503, a vLLM-style
 * 404 for an unknown model, a server that stops sending, and the FIM template path of servers without /infill.
 * Each server here is a local http server on 127.0.0.1 speaking the OpenAI wire format. The same engine against a
 * real llama-server is engine-remote.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineError } from '../../src/common/errors';
import type { RemoteTarget } from '../../src/engine/remote/client';
import { isLoopback, parseServerUrl } from '../../src/engine/remote/client';
import { fimTemplateFor } from '../../src/engine/remote/fim';
import { RemoteEngine } from '../../src/engine/remote/remoteEngine';
import { defaultRemoteSettings, engineForJob, REMOTE_BOUNDS, remoteTarget } from '../../src/engine/remote/settings';
import { SseParser } from '../../src/engine/remote/sse';
import { contributedSettings } from '../support/packageDefaults';
import { quietLog } from '../support/realEngine';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

/** A local server: /v1/models lists `models`, /props is absent (not llama-server), `routes` answer the rest. */
async function fakeServer(routes: Record<string, Handler>, models: string[] = ['m']): Promise<{ url: string; seen: Array<{ path: string; body: string }>; connections(): number; close(): Promise<void> }> {
  const seen: Array<{ path: string; body: string }> = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body });
      if (req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id })) }));
      const route = routes[req.url ?? ''];
      if (!route) return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Not found' } }));
      route(req, body, res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, seen, connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function engineFor(url: string, overrides: Partial<RemoteTarget> = {}): RemoteEngine {
  const target: RemoteTarget = { url, model: '', fim: 'auto', connectTimeoutMs: 2000, readTimeoutMs: 10_000, contextSize: 2048, ...overrides };
  return new RemoteEngine({ target: () => target, apiKey: async () => undefined, log: quietLog });
}

const sse = (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
const delta = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof EngineError, `not an EngineError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe('remote engine: the wire (local fake servers)', function () {
  this.timeout(20_000);

  it('parses server-sent events split anywhere, with CRLF, comments (pings) and multi-line data', () => {
    const text = ': ping\r\n\r\ndata: {"a":1}\r\n\r\ndata: line one\ndata: line two\n\nevent: x\ndata: [DONE]\n\n';
    for (let split = 0; split < text.length; split++) {
      const parser = new SseParser();
      const events = [...parser.push(text.slice(0, split)), ...parser.push(text.slice(split))];
      assert.deepEqual(events, ['{"a":1}', 'line one\nline two', '[DONE]'], `split at ${split}`);
      assert.equal(parser.incomplete, false);
    }
    const cut = new SseParser();
    assert.deepEqual(cut.push('data: {"half": tr'), []);
    assert.equal(cut.incomplete, true);
  });

  it('streams a chat answer chunk by chunk and ends at [DONE]', async () => {
    const server = await fakeServer({
      '/v1/chat/completions': (_req, _body, res) => {
        sse(res);
        res.write(delta('Hel'));
        res.write(delta('lo'));
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
        res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 2 } })}\n\n`);
        res.end('data: [DONE]\n\n');
      },
    });
    const engine = engineFor(server.url);
    try {
      const chunks: string[] = [];
      const result = await engine.chat([{ role: 'user', content: 'hi' }], { maxTokens: 8 }, { onChunk: (t) => chunks.push(t) });
      assert.equal(result.text, 'Hello');
      assert.deepEqual(chunks, ['Hel', 'lo']);
      assert.equal(result.stopReason, 'eos');
      assert.equal(result.stats.promptTokens, 7, 'usage read');
      assert.equal(result.stats.generatedTokens, 2);
      assert.equal(result.model, 'm', 'the server\'s only model is used when none is set');
      const sent = JSON.parse(server.seen.find((s) => s.path === '/v1/chat/completions')!.body);
      assert.equal(sent.stream, true);
      assert.equal(sent.model, 'm');
      assert.deepEqual(sent.messages, [{ role: 'user', content: 'hi' }]);
    } finally {
      engine.dispose();
      await server.close();
    }
  });

  it('a session of requests read to their end shares one kept-alive connection (no handshake per keystroke)', async () => {
    const server = await fakeServer({
      '/v1/completions': (_req, _body, res) => {
        sse(res);
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'x', finish_reason: 'length' }] })}\n\n`);
        res.end('data: [DONE]\n\n');
      },
    });
    const engine = engineFor(server.url);
    try {
      for (let i = 0; i < 5; i++) assert.equal((await engine.complete(`a${i}`, { maxTokens: 1 })).stopReason, 'maxTokens');
      assert.equal(server.connections(), 1);
    } finally {
      engine.dispose();
      await server.close();
    }
  });

  it('a malformed stream is a clear REMOTE_STREAM error', async () => {
    const server = await fakeServer({
      '/v1/chat/completions': (_req, _body, res) => {
        sse(res);
        res.write(delta('ok'));
        res.end('data: {this is not json\n\n');
      },
    });
    const engine = engineFor(server.url);
    try {
      await rejectsWith(engine.chat([{ role: 'user', content: 'hi' }], { maxTokens: 8 }), 'REMOTE_STREAM', /malformed stream/);
      assert.equal(engine.state.kind, 'error');
    } finally {
      engine.dispose();
      await server.close();
    }
  });

  it('a stream that ends before its last event, or whose connection breaks, is a truncated answer, not a short one', async () => {
    const server = await fakeServer({
      '/v1/chat/completions': (_req, _body, res) => {
        sse(res);
        res.end(delta('Once upon'));
      },
      '/v1/completions': (_req, _body, res) => {
        sse(res);
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'half' }] })}\n\n`, () => res.socket?.destroy());
      },
    });
    const engine = engineFor(server.url);
    try {
      await rejectsWith(engine.chat([{ role: 'user', content: 'hi' }], { maxTokens: 8 }), 'REMOTE_STREAM', /cut off/);
      await rejectsWith(engine.complete('x', { maxTokens: 8 }), 'REMOTE_STREAM', /broke in the middle|cut off/);
    } finally {
      engine.dispose();
      await server.close();
    }
  });

  it('an error event inside the stream, and a 5xx, are REMOTE_SERVER errors with the server\'s words', async () => {
    const server = await fakeServer({
      '/v1/chat/completions': (_req, _body, res) => {
        sse(res);
        res.write(delta('a'));
        res.end(`data: ${JSON.stringify({ error: { code: 500, message: 'slot crashed', type: 'server_error' } })}\n\n`);
      },
      '/v1/completions': (_req, _body, res) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 503, message: 'Loading model', type: 'unavailable_error' } })),
    });
    const engine = engineFor(server.url);
    try {
      await rejectsWith(engine.chat([{ role: 'user', content: 'hi' }], { maxTokens: 8 }), 'REMOTE_SERVER', /slot crashed/);
      await rejectsWith(engine.complete('x', { maxTokens: 8 }), 'REMOTE_SERVER', /failed \(503: Loading model\)/);
    } finally {
      engine.dispose();
      await server.close();
    }
  });

  it('an unknown model: the 404 of a vLLM-style server, and a model missing from /v1/models', async () => {
    const server = await fakeServer({
      '/v1/chat/completions': (_req, _body, res) => res.writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ object: 'error', message: 'The model `big-model` does not exist.', type: 'NotFoundError', code: 404 })),
    }, []);
    const listed = await fakeServer({}, ['qwen2.5-coder:1.5b', 'llama3']);
    const engine = engineFor(server.url, { model: 'big-model' });
    const other = engineFor(listed.url, { model: 'big-model' });
    try {
      await rejectsWith(engine.chat([{ role: 'user', content: 'hi' }], { maxTokens: 8 }), 'REMOTE_MODEL', /does not serve the model "big-model" \(404: The model `big-model` does not exist/);
      await rejectsWith(other.modelInfo(), 'REMOTE_MODEL', /does not serve the model "big-model"; it serves "qwen2.5-coder:1.5b", "llama3"/);
      assert.equal(other.state.kind, 'error');
      assert.match(other.state.message ?? '', /big-model/);
    } finally {
      engine.dispose();
      other.dispose();
      await server.close();
      await listed.close();
    }
  });

  it('a server that goes silent fails after the read timeout, and the request is closed', async () => {
    let closed = false;
    const server = await fakeServer({
      '/v1/chat/completions': (_req, _body, res) => {
        sse(res);
        res.write(delta('a'));
        res.on('close', () => (closed = true));
      },
    });
    const engine = engineFor(server.url, { readTimeoutMs: 300 });
    try {
      const started = Date.now();
      await rejectsWith(engine.chat([{ role: 'user', content: 'hi' }], { maxTokens: 8 }), 'REMOTE_TIMEOUT', /sent nothing for 0 s|sent nothing/);
      assert.ok(Date.now() - started < 5000);
      await new Promise<void>((resolve) => {
        const check = () => (closed ? resolve() : setTimeout(check, 10));
        check();
      });
    } finally {
      engine.dispose();
      await server.close();
    }
  });

  it('without /infill, fill-in-the-middle goes to /v1/completions in the model family\'s FIM format, and the line limit closes the stream', async () => {
    let closedEarly = false;
    const server = await fakeServer({
      '/v1/completions': (_req, _body, res) => {
        sse(res);
        const pieces = ['return a', ' + b;\n', '}\n', 'function more() {\n'];
        let i = 0;
        res.on('close', () => (closedEarly = i < 40));
        const next = () => {
          if (res.destroyed) return;
          if (i >= 40) return void res.end('data: [DONE]\n\n');
          res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: pieces[i % pieces.length], finish_reason: null }] })}\n\n`);
          i++;
          setTimeout(next, 20);
        };
        next();
      },
    }, ['qwen2.5-coder:1.5b-base']);
    const engine = engineFor(server.url);
    try {
      const info = await engine.modelInfo();
      assert.equal(info.supportsInfill, true, 'a Qwen coder is a FIM model by its name');
      const result = await engine.infill('function add(a, b) {\n  ', '\n', { maxTokens: 64, maxLines: 1 });
      assert.equal(result.text, 'return a + b;');
      assert.equal(result.stopReason, 'maxLines');
      const sent = JSON.parse(server.seen.find((s) => s.path === '/v1/completions')!.body);
      assert.equal(sent.prompt, '<|fim_prefix|>function add(a, b) {\n  <|fim_suffix|>\n<|fim_middle|>');
      assert.ok(sent.stop.includes('<|endoftext|>'));
      await new Promise<void>((resolve) => {
        const check = () => (closedEarly ? resolve() : setTimeout(check, 10));
        check();
      });
    } finally {
      engine.dispose();
      await server.close();
    }
  });

  it('settings: per-job servers and models, which jobs go remote, FIM templates by name, loopback and URL checks', () => {
    const settings = { ...defaultRemoteSettings, url: 'https://team.example:8443/v1', model: 'big', completion: { url: 'http://127.0.0.1:8012', model: '' }, assistant: { url: '', model: 'chat-model' } };
    assert.equal(remoteTarget(settings, 'completion', 4096).url, 'http://127.0.0.1:8012');
    assert.equal(remoteTarget(settings, 'completion', 4096).model, 'big');
    assert.equal(remoteTarget(settings, 'assistant', 4096).url, 'https://team.example:8443/v1');
    assert.equal(remoteTarget(settings, 'assistant', 4096).model, 'chat-model');
    assert.equal(remoteTarget({ ...settings, readTimeoutSeconds: 1e9 }, 'assistant', 4096).readTimeoutMs, REMOTE_BOUNDS.readTimeoutSeconds.maximum * 1000);
    assert.equal(engineForJob('remote', 'both', 'completion'), 'remote');
    assert.equal(engineForJob('remote', 'assistant', 'completion'), 'embedded');
    assert.equal(engineForJob('remote', 'assistant', 'assistant'), 'remote');
    assert.equal(engineForJob('embedded', 'both', 'assistant'), 'embedded');
    assert.equal(parseServerUrl('https://team.example:8443/v1/').pathname, '/');
    assert.throws(() => parseServerUrl('ftp://x'), /http:\/\/ or https:\/\//);
    assert.throws(() => parseServerUrl('not a url'), /not a URL/);
    assert.equal(isLoopback(new URL('http://127.0.0.1:8080')), true);
    assert.equal(isLoopback(new URL('http://[::1]:8080')), true);
    assert.equal(isLoopback(new URL('http://localhost:8080')), true);
    assert.equal(isLoopback(new URL('http://10.0.0.5:8080')), false);
    assert.equal(fimTemplateFor('qwen2.5-coder:1.5b-base', 'auto')?.name, 'qwen');
    assert.equal(fimTemplateFor('bigcode/starcoder2-3b', 'auto')?.name, 'starcoder');
    assert.equal(fimTemplateFor('codellama:7b-code', 'auto')?.name, 'codellama');
    assert.equal(fimTemplateFor('llama3', 'auto'), undefined);
    assert.equal(fimTemplateFor('my-coder', 'starcoder')?.name, 'starcoder');
    assert.equal(fimTemplateFor('qwen2.5-coder', 'none'), undefined);
  });

  it('package.json declares the remote settings machine-scoped, with the defaults and bounds the code uses', () => {
    const contributed = contributedSettings();
    const flat: Record<string, unknown> = {
      'hearth.engine': 'embedded', 'hearth.remote.jobs': defaultRemoteSettings.jobs, 'hearth.remote.url': '', 'hearth.remote.model': '',
      'hearth.remote.completion.url': '', 'hearth.remote.completion.model': '', 'hearth.remote.assistant.url': '', 'hearth.remote.assistant.model': '',
      'hearth.remote.fimTemplate': defaultRemoteSettings.fimTemplate,
      'hearth.remote.connectTimeoutSeconds': defaultRemoteSettings.connectTimeoutSeconds, 'hearth.remote.readTimeoutSeconds': defaultRemoteSettings.readTimeoutSeconds,
    };
    for (const [key, value] of Object.entries(flat)) {
      assert.ok(key in contributed, `${key} is contributed`);
      assert.deepEqual(contributed[key].default, value, key);
      assert.equal(contributed[key].scope, 'machine', `${key}: a repository must not redirect code to its server`);
    }
    assert.deepEqual(Object.keys(contributed).filter((k) => k.startsWith('hearth.remote.')).sort(), Object.keys(flat).filter((k) => k.startsWith('hearth.remote.')).sort());
    for (const [key, { minimum, maximum }] of Object.entries(REMOTE_BOUNDS)) {
      assert.equal(contributed[`hearth.remote.${key}`].minimum, minimum);
      assert.equal(contributed[`hearth.remote.${key}`].maximum, maximum);
    }
    assert.ok(!Object.keys(contributed).some((k) => /apikey|token|secret/i.test(k) && k.startsWith('hearth.remote')), 'no API key setting: keys live in SecretStorage');
  });
});
