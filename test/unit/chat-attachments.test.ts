import * as assert from 'node:assert/strict';
import { type Attachment, composeQuestion, formatContext, limitText, mergeAttachments, parseMentions } from '../../src/chat/attachments';

const sel = (path: string, from: number, to: number, text = 'x'): Attachment => ({
  id: `s${from}`, kind: 'selection', label: `${path}:${from}-${to}`, path, languageId: 'typescript', text, lines: [from, to],
});
const file = (path: string, text = 'file'): Attachment => ({ id: `f-${path}`, kind: 'file', label: path, path, languageId: 'typescript', text });

describe('chat attachments', () => {
  it('finds #selection, #file and #editors mentions and keeps the sentence readable', () => {
    const r = parseMentions('what does #selection do in #file? (#editors) #file');
    assert.deepEqual(r.mentions, ['selection', 'file', 'editors']);
    assert.equal(r.text, 'what does the selection do in the file? (the open files) the file');
  });

  it('ignores look-alikes: issue numbers, words inside identifiers, unknown mentions', () => {
    for (const q of ['fix #12', 'a#file', '#files', '#selection-ish', '#foo', 'x #file_name']) {
      assert.deepEqual(parseMentions(q).mentions, [], q);
    }
  });

  it('limits text keeping head and tail', () => {
    const text = 'H'.repeat(500) + 'M'.repeat(500) + 'T'.repeat(500);
    const r = limitText(text, 300);
    assert.ok(r.truncated);
    assert.ok(r.text.length <= 300);
    assert.ok(r.text.startsWith('HHH') && r.text.endsWith('TTT') && r.text.includes('omitted'));
    assert.deepEqual(limitText('short', 300), { text: 'short', truncated: false });
  });

  it('merges without duplicates; a whole file supersedes selections in it', () => {
    let list = mergeAttachments([], [sel('a.ts', 1, 3, 'old')]);
    list = mergeAttachments(list, [sel('a.ts', 1, 3, 'new'), sel('b.ts', 5, 6)]);
    assert.deepEqual(list.map((a) => a.text), ['new', 'x']);
    list = mergeAttachments(list, [file('a.ts')]);
    assert.deepEqual(list.map((a) => a.label), ['b.ts:5-6', 'a.ts']);
  });

  it('formats context with a fence the code cannot close', () => {
    const ctx = formatContext([sel('a.ts', 2, 4, 'const s = "```";')]);
    assert.match(ctx, /^Selected code from a\.ts \(lines 2-4\):\n````typescript\nconst s = "```";\n````$/);
    assert.equal(composeQuestion('why?', ''), 'why?');
    assert.equal(composeQuestion('why?', 'CTX'), 'CTX\n\nwhy?');
  });
});
