import * as assert from 'node:assert/strict';
import { locateOriginal, spliceText } from '../../src/editing/locate';

describe('editing: locating the original text after edits', () => {
  const doc = 'alpha\nTARGET\nomega\n';
  it('finds it where it was', () => {
    assert.deepEqual(locateOriginal(doc, 'TARGET', 6), { start: 6, end: 12 });
  });
  it('finds it shifted by an edit above', () => {
    const edited = 'new line\n' + doc;
    assert.deepEqual(locateOriginal(edited, 'TARGET', 6), { start: 15, end: 21 });
  });
  it('prefers the occurrence nearest to where it was', () => {
    const twice = 'TARGET\n' + 'x'.repeat(50) + '\nTARGET\n';
    assert.equal(locateOriginal(twice, 'TARGET', 55)!.start, 58);
    assert.equal(locateOriginal(twice, 'TARGET', 3)!.start, 0);
  });
  it('gives up when the original was edited', () => {
    assert.equal(locateOriginal('alpha\nTARGXT\nomega\n', 'TARGET', 6), undefined);
  });
  it('an empty original is only found at an unchanged offset', () => {
    assert.deepEqual(locateOriginal('abc', '', 1), { start: 1, end: 1 });
  });
  it('splices the replacement in', () => {
    assert.equal(spliceText(doc, { start: 6, end: 12 }, 'NEW'), 'alpha\nNEW\nomega\n');
  });
});
