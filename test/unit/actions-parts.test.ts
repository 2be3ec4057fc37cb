/** The vscode-free parts of the actions' glue: selection rules, running actions, snapshot stream, recent instructions. */
import * as assert from 'node:assert/strict';
import { RecentInstructions } from '../../src/actions/recent';
import { RunningActions } from '../../src/actions/running';
import { lastSelectedLine, startsInIndentation } from '../../src/actions/selection';
import { SnapshotStream } from '../../src/actions/snapshotStream';

describe('actions: glue parts', () => {
  it('a selection starting inside the indentation is taken from the line start', () => {
    assert.equal(startsInIndentation('    const a = 1;', 2), true);
    assert.equal(startsInIndentation('    const a = 1;', 4), true);
    assert.equal(startsInIndentation('    const a = 1;', 0), false);
    assert.equal(startsInIndentation('    const a = 1;', 6), false);
  });

  it('inserted text goes after the last selected line, not the line a whole-line selection ends on', () => {
    assert.equal(lastSelectedLine({ start: { line: 2, character: 0 }, end: { line: 5, character: 0 } }), 4);
    assert.equal(lastSelectedLine({ start: { line: 2, character: 0 }, end: { line: 5, character: 3 } }), 5);
    assert.equal(lastSelectedLine({ start: { line: 2, character: 1 }, end: { line: 2, character: 0 } }), 2);
  });

  it('cancelling the running actions aborts each and counts them', () => {
    const running = new RunningActions();
    const a = running.start();
    const b = running.start();
    running.end(b);
    assert.equal(running.size, 1);
    assert.equal(running.cancelAll(), 1);
    assert.equal(a.signal.aborted, true);
    assert.equal(b.signal.aborted, false);
  });

  it('the snapshot stream yields the latest snapshot, then ends or fails', async () => {
    const stream = new SnapshotStream();
    stream.push('a');
    stream.push('ab');
    const seen: string[] = [];
    const reading = (async () => {
      for await (const s of stream) seen.push(s);
    })();
    await new Promise((r) => setTimeout(r, 0));
    stream.push('abc');
    stream.end();
    await reading;
    assert.deepEqual(seen, ['ab', 'abc']);

    const failing = new SnapshotStream();
    failing.fail(new Error('boom'));
    await assert.rejects(async () => {
      for await (const _ of failing) void _;
    }, /boom/);
  });

  it('recent instructions are kept newest first in the given storage', async () => {
    const values = new Map<string, unknown>();
    const recent = new RecentInstructions({
      get: <T>(key: string, fallback: T) => (values.has(key) ? (values.get(key) as T) : fallback),
      update: async (key, value) => void values.set(key, value),
    });
    assert.deepEqual(recent.list(), []);
    await recent.remember('make it formal');
    await recent.remember('add types');
    await recent.remember('Make it  formal');
    assert.deepEqual(recent.list(), ['Make it formal', 'add types']);
  });
});
