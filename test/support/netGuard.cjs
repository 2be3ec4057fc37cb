// A network guard for processes under test. Two ways in:
// - preloaded (NODE_OPTIONS=--require) into a child, such as a worker: every attempt is refused and appended to
//   HEARTH_NET_GUARD_LOG ("pid argv1 what"), so the parent can assert that none was made;
// - required by the integration suite's entry inside the extension host: attempts are refused and kept in memory,
//   and the suite fails on any it did not plant itself (see `planted`).
// Covered: TCP/TLS sockets (so http, https, http2 and undici below them), DNS (callback and promise APIs), fetch,
// WebSocket and UDP. With HEARTH_NET_GUARD_LOOPBACK=allow, 127.0.0.0/8, ::1 and localhost stay reachable (the
// suite's own local servers); local IPC pipes are never network.
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');
const dgram = require('node:dgram');

const KEY = Symbol.for('hearth.netGuard');
const state = (globalThis[KEY] ??= { attempts: [], installed: false, log: undefined, loopback: false });

function isLoopback(host) {
  if (host === undefined || host === null || host === '') return true; // Node's default host is localhost
  const h = String(host).replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

function allowed(host) {
  return state.loopback && isLoopback(host);
}

function record(what) {
  const attempt = { what, stack: new Error().stack.split('\n').slice(3, 12).join('\n') };
  state.attempts.push(attempt);
  if (state.log) {
    try {
      fs.appendFileSync(state.log, `${process.pid} ${process.argv[1] ?? ''} ${what}\n`);
    } catch {
      // the log folder is gone: the in-memory record remains
    }
  }
  return new Error(`network access blocked by test: ${what}`);
}

function install() {
  state.installed = true;
  state.log = process.env.HEARTH_NET_GUARD_LOG || undefined;
  state.loopback = process.env.HEARTH_NET_GUARD_LOOPBACK === 'allow';

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0]; // Node passes [options, cb] internally
    const target = first && typeof first === 'object' ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
    // A pipe path is local IPC (the worker's channel, the extension host's own): not network.
    if (typeof target.path === 'string' || (typeof target.port === 'string' && !/^\d+$/.test(target.port))) return connect.apply(this, args);
    if (allowed(target.host)) return connect.apply(this, args);
    // Refused the way a real network refuses: the socket errors a tick later, so every caller (http's agents,
    // VS Code's proxy wrapper, undici) hears of it through the path it already handles.
    const error = record(`connect ${target.host ?? 'localhost'}:${target.port}`);
    process.nextTick(() => this.destroy(error));
    return this;
  };

  for (const api of [dns, dns.promises]) {
    for (const fn of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveSrv', 'resolveTxt', 'reverse']) {
      const orig = api[fn];
      if (typeof orig !== 'function') continue;
      api[fn] = function (host, ...rest) {
        if (allowed(host)) return orig.call(this, host, ...rest);
        const error = record(`dns.${fn} ${host}`);
        if (api === dns.promises) return Promise.reject(error);
        const callback = rest.reverse().find((a) => typeof a === 'function');
        if (callback) process.nextTick(callback, error);
        return undefined;
      };
    }
  }

  const hostOf = (input) => {
    try {
      return new URL(typeof input === 'object' && input && 'url' in input ? input.url : String(input)).hostname;
    } catch {
      return 'unparsable';
    }
  };
  if (typeof globalThis.fetch === 'function') {
    const fetch = globalThis.fetch;
    globalThis.fetch = function (input, init) {
      if (allowed(hostOf(input))) return fetch.call(this, input, init);
      return Promise.reject(record(`fetch ${String(input && input.url ? input.url : input)}`));
    };
  }
  if (typeof globalThis.WebSocket === 'function') {
    const WebSocket = globalThis.WebSocket;
    globalThis.WebSocket = new Proxy(WebSocket, {
      construct(target, args) {
        if (!allowed(hostOf(args[0]))) throw record(`WebSocket ${args[0]}`);
        return Reflect.construct(target, args);
      },
    });
  }
  for (const fn of ['send', 'connect']) {
    const orig = dgram.Socket.prototype[fn];
    dgram.Socket.prototype[fn] = function (...args) {
      // send(msg, [offset, length,] port, address, cb) and connect(port, address, cb): the address is the string.
      // No address: a connected socket (vetted by connect) or Node's default, localhost.
      const address = args.find((a, i) => i > 0 && typeof a === 'string');
      if (address === undefined || allowed(address)) return orig.apply(this, args);
      throw record(`udp.${fn} ${address}`);
    };
  }
}

if (!state.installed) install();

module.exports = {
  /** What was refused so far in this process (and not planted). */
  attempts: () => state.attempts.slice(),
  /** Runs `fn`, which makes attempts on purpose, and returns (and forgets) the ones made meanwhile. */
  async planted(fn) {
    const before = state.attempts.length;
    await fn();
    return state.attempts.splice(before).map((a) => a.what);
  },
  isLoopback,
};
