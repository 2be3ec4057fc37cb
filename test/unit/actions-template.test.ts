import * as assert from 'node:assert/strict';
import { parseCustomActions } from '../../src/actions/customActions';
import { forgetInstruction, instructionPicks, rememberInstruction } from '../../src/actions/recent';
import { renderCustomPrompt, substitute, usesVariable } from '../../src/actions/template';

describe('actions: template variables', () => {
  const vars = { selection: 'SEL', language: 'Go', fileName: 'main.go' };
  it('substitutes each variable, tolerating spaces inside the braces', () => {
    assert.equal(substitute('{{selection}}|{{ language }}|{{fileName}}', vars), 'SEL|Go|main.go');
  });
  it('substitutes every occurrence', () => {
    assert.equal(substitute('{{language}} and {{language}}', vars), 'Go and Go');
  });
  it('leaves unknown variables as written', () => {
    assert.equal(substitute('{{nope}} {{selection}}', vars), '{{nope}} SEL');
  });
  it('does not substitute inside substituted text', () => {
    assert.equal(substitute('{{selection}}', { ...vars, selection: 'a {{language}} b' }), 'a {{language}} b');
  });
  it('handles "$" sequences in values literally', () => {
    assert.equal(substitute('x {{selection}} y', { ...vars, selection: "$& $1 $'" }), "x $& $1 $' y");
  });
  it('appends the selection when the template does not use it', () => {
    assert.equal(renderCustomPrompt('Translate to French.  ', vars), 'Translate to French.\n\nSEL');
    assert.equal(renderCustomPrompt('Fix: {{selection}}', vars), 'Fix: SEL');
    assert.ok(usesVariable('{{ selection }}', 'selection'));
    assert.ok(!usesVariable('{{selections}}', 'selection'));
  });
});

describe('actions: recent instructions', () => {
  it('puts the newest first and removes duplicates ignoring case and spacing', () => {
    let list = rememberInstruction([], 'make it async');
    list = rememberInstruction(list, 'add types');
    list = rememberInstruction(list, '  Make  it ASYNC ');
    assert.deepEqual(list, ['Make it ASYNC', 'add types']);
  });
  it('keeps at most the limit', () => {
    let list: string[] = [];
    for (let i = 0; i < 20; i++) list = rememberInstruction(list, `i${i}`, 5);
    assert.deepEqual(list, ['i19', 'i18', 'i17', 'i16', 'i15']);
  });
  it('ignores blank instructions', () => {
    assert.deepEqual(rememberInstruction(['a'], '   '), ['a']);
  });
  it('forgets one', () => {
    assert.deepEqual(forgetInstruction(['a', 'b'], 'a'), ['b']);
  });
  it('offers the typed text first, then matching recent ones', () => {
    const picks = instructionPicks(['add types', 'make async', 'add tests'], 'add');
    assert.deepEqual(picks.map((p) => [p.label, p.recent]), [['add', false], ['add types', true], ['add tests', true]]);
  });
  it('does not duplicate a typed text that equals a recent one', () => {
    assert.deepEqual(instructionPicks(['add types'], 'ADD TYPES').map((p) => p.instruction), ['add types']);
  });
  it('lists all recent ones when nothing is typed', () => {
    assert.equal(instructionPicks(['a', 'b'], '').length, 2);
  });
});

describe('actions: custom action settings', () => {
  it('accepts valid entries and defaults output to show', () => {
    const { actions, problems } = parseCustomActions([
      { name: 'Docs', prompt: 'Document {{selection}}', output: 'insertBelow' },
      { name: 'Tone', prompt: 'Make friendlier: {{selection}}' },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(actions.map((a) => [a.name, a.output]), [['Docs', 'insertBelow'], ['Tone', 'show']]);
  });
  it('reports bad entries and keeps the good ones', () => {
    const { actions, problems } = parseCustomActions([
      42,
      { prompt: 'p' },
      { name: 'A', prompt: '' },
      { name: 'B', prompt: 'p', output: 'replaceAll' },
      { name: 'C', prompt: 'p', output: 'replace' },
      { name: 'c', prompt: 'p2' },
    ]);
    assert.deepEqual(actions.map((a) => a.name), ['C']);
    assert.equal(problems.length, 5);
    assert.match(problems[3], /replaceAll/);
  });
  it('rejects a non-array and accepts undefined', () => {
    assert.equal(parseCustomActions({}).problems.length, 1);
    assert.deepEqual(parseCustomActions(undefined), { actions: [], problems: [] });
  });
});
