import * as assert from 'node:assert/strict';
import { MAX_TEXT_LENGTH, parseHostMessage, parseWebviewMessage, type ViewState } from '../../src/chat/messages';

describe('chat messages: webview → host validation', () => {
  const valid: unknown[] = [
    { type: 'ready' },
    { type: 'send', text: 'hello' },
    { type: 'stop' },
    { type: 'newChat' },
    { type: 'regenerate' },
    { type: 'editLast', text: 'again' },
    { type: 'copyMessage', messageId: 'abc-1_2' },
    { type: 'codeAction', action: 'apply', messageId: 'm1', block: 0 },
    { type: 'attach', kind: 'editors' },
    { type: 'removeAttachment', id: 'a1' },
    { type: 'openConversation', id: 'c1' },
    { type: 'deleteConversation', id: 'c1' },
    { type: 'selectModel' },
  ];
  for (const msg of valid) {
    it(`accepts ${JSON.stringify(msg)}`, () => assert.deepEqual(parseWebviewMessage(msg), msg));
  }

  const invalid: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'send'],
    ['an array', [{ type: 'stop' }]],
    ['no type', { text: 'x' }],
    ['unknown type', { type: 'runCommand', command: 'workbench.action.quit' }],
    ['prototype key as type', { type: 'constructor' }],
    ['inherited type', { type: '__proto__' }],
    ['missing field', { type: 'send' }],
    ['wrong field type', { type: 'send', text: 42 }],
    ['extra field', { type: 'stop', now: true }],
    ['oversized text', { type: 'send', text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }],
    ['malformed id', { type: 'copyMessage', messageId: '../../etc' }],
    ['empty id', { type: 'openConversation', id: '' }],
    ['unknown code action', { type: 'codeAction', action: 'run', messageId: 'm', block: 0 }],
    ['fractional block', { type: 'codeAction', action: 'copy', messageId: 'm', block: 1.5 }],
    ['negative block', { type: 'codeAction', action: 'copy', messageId: 'm', block: -1 }],
    ['string block', { type: 'codeAction', action: 'copy', messageId: 'm', block: '0' }],
    ['unknown attachment kind', { type: 'attach', kind: 'workspace' }],
    ['class instance', new (class { type = 'stop'; })()],
  ];
  for (const [name, msg] of invalid) {
    it(`rejects ${name}`, () => assert.equal(parseWebviewMessage(msg), undefined));
  }
});

describe('chat messages: host → webview validation', () => {
  const state: ViewState = {
    conversationId: 'c1', title: 't', busy: false, history: [{ id: 'c1', title: 't', updatedAt: 1, turns: 2 }],
    messages: [{ id: 'm1', role: 'assistant', html: '<p>x</p>', status: 'done' }],
    engine: { kind: 'ready', modelName: 'm.gguf' }, meter: { used: 10, total: 100, dropped: 0 },
    chips: [{ id: 'a1', kind: 'file', label: 'f.ts' }],
  };
  it('accepts well-formed messages', () => {
    assert.ok(parseHostMessage({ type: 'state', state }));
    assert.ok(parseHostMessage({ type: 'stream', messageId: 'm1', html: '<p>' }));
    assert.ok(parseHostMessage({ type: 'announce', text: 'done' }));
    assert.ok(parseHostMessage({ type: 'focus' }));
  });
  it('rejects malformed ones', () => {
    assert.equal(parseHostMessage({ type: 'state', state: { ...state, messages: [{ id: 'm', role: 'system', status: 'done' }] } }), undefined);
    assert.equal(parseHostMessage({ type: 'state', state: { ...state, busy: 'no' } }), undefined);
    assert.equal(parseHostMessage({ type: 'stream', messageId: 'm1' }), undefined);
    assert.equal(parseHostMessage({ type: 'eval', code: 'x' }), undefined);
    assert.equal(parseHostMessage(undefined), undefined);
  });
});
