// Soak only, preloaded into each worker through NODE_OPTIONS (test/soak/index.ts): a full GC every 5 s. Left to
// itself V8 lets the worker's heap climb 5-10 MiB for 100-200 s before a major collection drops it again, and a
// 2.5-minute run is shorter than one such climb, so its RSS slope read the climb as 100-500 MiB/h. With regular
// collections the slope measures what is kept, which is what a leak is.
'use strict';
if (/worker\.js$/.test(process.argv[1] || '')) {
  const v8 = require('node:v8');
  const vm = require('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  setInterval(() => gc(), 5000).unref();
}
