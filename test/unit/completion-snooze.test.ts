import * as assert from 'node:assert/strict';
import { menuEntries, snoozeChoices } from '../../src/completion/pickers';
import { Snooze } from '../../src/completion/snooze';
import { MemoryStorage } from '../support/memoryStorage';

const KEY = 'hearth.completion.snoozedUntil';

describe('completion snooze', () => {
  const now = 1_000_000;
  const clock = () => now;

  it('saves the moment, reports changes and resumes by itself', async () => {
    const store = new MemoryStorage();
    const changes: Array<number | undefined> = [];
    const snooze = new Snooze(store, (until) => changes.push(until), () => Date.now());
    snooze.set(Date.now() + 30);
    assert.equal(snooze.active, true);
    assert.equal(store.get(KEY), snooze.until);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(snooze.until, undefined);
    assert.equal(snooze.active, false);
    assert.equal(store.get(KEY), undefined);
    assert.equal(changes.length, 2);
    assert.equal(changes[1], undefined);
    snooze.dispose();
  });

  it('snoozeFor counts minutes from now; 0 resumes', () => {
    const snooze = new Snooze(new MemoryStorage(), () => undefined, clock);
    snooze.snoozeFor(15);
    assert.equal(snooze.until, now + 15 * 60_000);
    snooze.snoozeFor(0);
    assert.equal(snooze.until, undefined);
    snooze.dispose();
  });

  it('a snooze saved by an earlier window carries over; an expired one does not', () => {
    const store = new MemoryStorage();
    void store.update(KEY, now + 60_000);
    const changes: Array<number | undefined> = [];
    const carried = new Snooze(store, (until) => changes.push(until), clock);
    assert.equal(carried.until, now + 60_000);
    assert.deepEqual(changes, [], 'nothing runs before resume()');
    carried.resume();
    assert.deepEqual(changes, [now + 60_000]);
    carried.dispose();

    void store.update(KEY, now - 1);
    const expired = new Snooze(store, () => undefined, clock);
    assert.equal(expired.until, undefined);
    assert.equal(expired.active, false);
    expired.dispose();
  });
});

describe('completion pickers', () => {
  it('offers "Resume now" only while snoozed', () => {
    assert.deepEqual(snoozeChoices(false).map((c) => c.minutes), [5, 15, 30, 60]);
    assert.deepEqual(snoozeChoices(true).map((c) => c.minutes), [0, 5, 15, 30, 60]);
  });

  it('the menu follows the state it opens in', () => {
    assert.deepEqual(menuEntries({ enabled: true, snoozed: false, language: { id: 'go', enabled: true } }).map((e) => e.label),
      ['Turn completions off', 'Turn off for go', 'Snooze…', 'Show log']);
    assert.deepEqual(menuEntries({ enabled: false, snoozed: true }).map((e) => [e.label, e.action]),
      [['Turn completions on', 'toggle'], ['Snooze or resume…', 'snooze'], ['Show log', 'showLog']]);
    assert.equal(menuEntries({ enabled: true, snoozed: false, language: { id: 'md', enabled: false } })[1].label, 'Turn on for md');
  });
});
