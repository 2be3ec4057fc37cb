import * as assert from 'node:assert/strict';
import { CompletionController } from '../../src/completion/controller';
import { defaultCompletionSettings, type CompletionSettings } from '../../src/completion/settings';
import { snapshotFromText } from '../../src/completion/snapshot';
import { EngineError } from '../../src/common/errors';
import { FakeEngine } from '../support/fakeEngine';

const source = [
  '// Shopping cart helpers used by the checkout page and the order summary.',
  'export function total(items: Item[]): number {',
  '  let sum = 0;',
  '  for (const item of items) {',
  '    sum += |',
  '  }',
  '  return sum;',
  '}',
].join('\n');

function at(text: string, meta: { crlf?: boolean } = {}) {
  const offset = text.indexOf('|');
  let t = text.slice(0, offset) + text.slice(offset + 1);
  let o = offset;
  if (meta.crlf) {
    o = t.slice(0, offset).replace(/\n/g, '\r\n').length;
    t = t.replace(/\n/g, '\r\n');
  }
  return snapshotFromText(t, o, { key: 'file:///cart.ts', relativePath: 'cart.ts', languageId: 'typescript' });
}

function setup(over: Partial<CompletionSettings> = {}) {
  const engine = new FakeEngine();
  const layouts: Array<string | undefined> = [];
  const infill = engine.infill.bind(engine);
  engine.infill = (p, s, sampling, options) => {
    layouts.push((options as { layout?: string } | undefined)?.layout);
    return infill(p, s, sampling, options);
  };
  const errors: unknown[] = [];
  const settings: CompletionSettings = { ...defaultCompletionSettings, debounceMinMs: 0, extraContext: false, ...over };
  const controller = new CompletionController({ engine, settings: () => settings, reportError: (e) => errors.push(e) });
  const generations = () => engine.calls.filter((c) => c.type === 'infill' || c.type === 'complete').length;
  return { engine, controller, layouts, errors, settings, generations };
}

describe('completion controller (fake engine)', () => {
  it('asks the model with FIM in the suffix-first layout and serves the post-processed answer', async () => {
    const { engine, controller, layouts } = setup();
    engine.replies = ['item.price;\n  }\n  return sum;'];
    const served = await controller.provide(at(source));
    assert.equal(served?.text, 'item.price;');
    assert.equal(served?.fromCache, false);
    assert.deepEqual(layouts, ['spm']);
    const call = engine.calls[0];
    assert.ok(call.prefix!.endsWith('    sum += '));
    assert.ok(call.suffix!.startsWith('\n  }'));
    assert.equal(call.sampling!.maxLines, 1, 'mid-statement: single line');
    assert.equal(controller.counters.requests, 1);
    assert.equal(controller.counters.shown, 1);
  });

  it('typing through a suggestion is served from the cache without a model call', async () => {
    const { engine, controller, generations } = setup();
    engine.replies = ['item.price * item.quantity;'];
    await controller.provide(at(source));
    assert.equal(generations(), 1);
    const typed = await controller.provide(at(source.replace('sum += |', 'sum += item.p|')));
    assert.equal(typed?.text, 'rice * item.quantity;');
    assert.equal(typed?.fromCache, true);
    assert.equal(generations(), 1);
    assert.equal(controller.counters.cacheHits, 1);
  });

  it('a newer request supersedes the running one; at most one is live', async () => {
    const { engine, controller, generations } = setup();
    engine.chunkDelayMs = 15;
    engine.chunkSize = 1;
    engine.replies = [(call) => (call.prefix!.endsWith('x') ? 'xx_old;' : 'yy_new;')];
    const first = controller.provide(at(source.replace('sum += |', 'sum += x|')));
    await new Promise((r) => setTimeout(r, 20));
    const second = controller.provide(at(source.replace('sum += |', 'sum += y|')));
    assert.equal(await first, undefined);
    assert.equal((await second)?.text, 'yy_new;');
    assert.equal(generations(), 2);
    assert.equal(controller.counters.maxLive, 1);
    assert.equal(controller.counters.cancelled, 1);
    assert.equal(controller.counters.inFlight, 0);
  });

  it('identical concurrent requests share one generation', async () => {
    const { engine, controller, generations } = setup();
    engine.chunkDelayMs = 5;
    engine.replies = ['item.price;'];
    const [a, b] = await Promise.all([controller.provide(at(source)), controller.provide(at(source))]);
    assert.equal(a?.text, 'item.price;');
    assert.equal(b?.text, 'item.price;');
    assert.equal(generations(), 1);
  });

  it('cancellation by the caller aborts the generation and shows nothing', async () => {
    const { engine, controller } = setup();
    engine.chunkDelayMs = 20;
    engine.chunkSize = 1;
    engine.replies = ['item.price;'];
    const abort = new AbortController();
    const pending = controller.provide(at(source), { signal: abort.signal });
    setTimeout(() => abort.abort(), 30);
    assert.equal(await pending, undefined);
    assert.equal(controller.counters.cancelled, 1);
    assert.equal(controller.counters.shown, 0);
  });

  it('never serves a model answer for text that changed meanwhile', async () => {
    const { engine, controller } = setup();
    engine.replies = ['item.price;'];
    const served = await controller.provide(at(source), { isStale: () => true });
    assert.equal(served, undefined);
    assert.equal(controller.counters.stale, 1);
  });

  it('remembers "nothing useful here" so the same spot does not ask again, unless asked explicitly', async () => {
    const { engine, controller, generations } = setup();
    engine.replies = ['   '];
    assert.equal(await controller.provide(at(source)), undefined);
    assert.equal(await controller.provide(at(source)), undefined);
    assert.equal(generations(), 1);
    await controller.provide(at(source), { explicit: true });
    assert.equal(generations(), 2);
  });

  it('models without FIM tokens get a plain completion without the suffix', async () => {
    const { engine, controller } = setup();
    engine.supportsInfill = false;
    engine.replies = ['item.price;'];
    assert.equal((await controller.provide(at(source)))?.text, 'item.price;');
    assert.equal(engine.calls[0].type, 'complete');
    assert.ok(!engine.calls[0].prompt!.includes('return sum'), 'no suffix text in a prefix-only prompt');
  });

  it('falls back to plain completion after NO_INFILL', async () => {
    const { engine, controller, errors } = setup();
    let first = true;
    const infill = engine.infill.bind(engine);
    engine.infill = (...args) => {
      if (first) {
        first = false;
        return Promise.reject(new EngineError('NO_INFILL', 'no FIM'));
      }
      return infill(...args);
    };
    engine.replies = ['item.price;'];
    assert.equal(await controller.provide(at(source)), undefined);
    assert.equal(errors.length, 1);
    assert.equal((await controller.provide(at(source)))?.text, 'item.price;');
    assert.equal(engine.calls.at(-1)!.type, 'complete');
  });

  it('a missing model is reported (quietly, by the glue) and nothing is shown', async () => {
    const { engine, controller, errors } = setup();
    Object.defineProperty(engine, 'loadedModel', { get: () => undefined });
    engine.modelInfo = () => Promise.reject(new EngineError('MODEL_NOT_FOUND', 'missing'));
    assert.equal(await controller.provide(at(source)), undefined);
    assert.equal(errors.length, 1);
    assert.equal(controller.phase, 'idle');
  });

  it('keeps CRLF line endings in multi-line suggestions and in typed-through remainders', async () => {
    const { engine, controller } = setup();
    const doc = source.replace('    sum += |', '    |');
    engine.replies = ['sum += item.price;\n    count++;'];
    const served = await controller.provide(at(doc, { crlf: true }));
    assert.equal(served?.text, 'sum += item.price;\r\n    count++;');
    const rest = await controller.provide(at(doc.replace('    |', '    sum += item.price;\n|'), { crlf: true }));
    assert.equal(rest?.fromCache, true);
    assert.equal(rest?.text, '    count++;');
  });

  it('debounce: a request cancelled while waiting never reaches the model', async () => {
    const { controller, generations } = setup({ debounceMinMs: 80, debounceMaxMs: 80 });
    const abort = new AbortController();
    const pending = controller.provide(at(source), { signal: abort.signal });
    setTimeout(() => abort.abort(), 10);
    assert.equal(await pending, undefined);
    assert.equal(generations(), 0);
  });

  it('warms new extra context while idle with an infill prefill (no generation), not counted as a suggestion request', async () => {
    const { engine, controller } = setup({ extraContext: true });
    controller.ring.add('other.ts', Array.from({ length: 6 }, (_, i) => `export const value${i} = ${i};`).join('\n'));
    assert.equal(await controller.warm(at(source)), true);
    assert.equal(engine.calls.length, 1);
    assert.equal(engine.calls[0].type, 'prefill');
    assert.equal(engine.calls[0].layout, 'spm');
    assert.ok(engine.calls[0].prefix!.startsWith('// File: other.ts'));
    assert.equal(controller.counters.requests, 0);
    assert.equal(await controller.warm(at(source)), false, 'nothing new: no second warm-up');
    engine.replies = ['item.price;'];
    await controller.provide(at(source));
    assert.equal(engine.calls[1].prefix, engine.calls[0].prefix, 'the next request reuses the warmed prompt');
  });

  it('warms the prompt of a place the cursor jumped to, once, and not where the cache already holds it', async () => {
    const { engine, controller } = setup();
    const lines = Array.from({ length: 300 }, (_, i) => `const value${i} = compute(${i}, 'item ${i}');`);
    const place = (line: number) => {
      const text = lines.join('\n');
      const offset = lines.slice(0, line).join('\n').length + 1 + 6;
      return snapshotFromText(text, offset, { key: 'file:///values.ts', relativePath: 'values.ts', languageId: 'typescript' });
    };
    engine.replies = ['x'];
    await controller.provide(place(20));
    const prefills = () => engine.calls.filter((c) => c.type === 'prefill').length;
    assert.equal(await controller.warmPlace(place(20)), false, 'the cache holds this place: nothing to warm');
    assert.equal(await controller.warmPlace(place(250)), true, 'a jump far away warms the new place');
    assert.equal(prefills(), 1);
    const warmed = engine.calls.find((c) => c.type === 'prefill')!;
    assert.ok(warmed.prefix!.includes('value249'), 'the prefill is the new place\'s prompt');
    assert.equal(await controller.warmPlace(place(250)), false, 'warmed already');
    assert.equal(prefills(), 1);
    assert.equal(controller.counters.placeWarmups, 1);
    assert.equal(controller.counters.requests, 1, 'warm-ups are not suggestion requests');
  });
  it('multi-line on an empty line, with the configured limits', async () => {
    const { engine, controller } = setup({ maxLines: 3, maxTokens: 40, timeBudgetMs: 500 });
    engine.replies = ['const a = 1;\n    const b = 2;'];
    const served = await controller.provide(at(source.replace('    sum += |', '    |')));
    assert.equal(served?.multiline, true);
    assert.deepEqual(
      { maxTokens: engine.calls[0].sampling!.maxTokens, maxLines: engine.calls[0].sampling!.maxLines, budget: engine.calls[0].sampling!.timeBudgetMs },
      { maxTokens: 40, maxLines: 4, budget: 500 },
    );
  });
});
