// Preloaded (NODE_OPTIONS=--require) into a process under test: any attempt to reach the network is recorded
// in HEARTH_NET_GUARD_LOG and fails, so a test can assert that none was made.
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');
const log = process.env.HEARTH_NET_GUARD_LOG;
function record(what) {
  if (log) fs.appendFileSync(log, `${process.pid} ${what}\n`);
}
const origConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const target = args[0] && typeof args[0] === 'object' ? args[0] : { port: args[0], host: args[1] };
  // Local IPC pipes (the worker's channel to its parent) are not network.
  if (target && typeof target.path === 'string') return origConnect.apply(this, args);
  record(`connect ${JSON.stringify(target)}`);
  throw new Error('network access blocked by test');
};
for (const fn of ['lookup', 'resolve', 'resolve4', 'resolve6']) {
  const orig = dns[fn];
  dns[fn] = function (...args) {
    record(`dns.${fn} ${args[0]}`);
    return orig.apply(this, args);
  };
}
if (typeof globalThis.fetch === 'function') {
  globalThis.fetch = async (input) => {
    record(`fetch ${String(input && input.url ? input.url : input)}`);
    throw new Error('network access blocked by test');
  };
}
