import * as assert from 'node:assert/strict';
import { lmMessageText, toChatMessages } from '../../src/chat/lmMessages';

describe('chat: Language Model API message conversion', () => {
  it('maps roles and text parts, skipping non-text parts', () => {
    const msgs = toChatMessages([
      { role: 3, content: [{ value: 'be brief' }] },
      { role: 1, content: [{ value: 'hello ' }, { callId: 'x', name: 'tool', input: {} }, { value: 'there' }] },
      { role: 2, content: 'hi' },
    ]);
    assert.deepEqual(msgs, [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello there' },
      { role: 'assistant', content: 'hi' },
    ]);
  });

  it('merges consecutive messages of one role and drops empty ones', () => {
    const msgs = toChatMessages([{ role: 1, content: [{ value: 'a' }] }, { role: 1, content: [] }, { role: 1, content: [{ value: 'b' }] }]);
    assert.deepEqual(msgs, [{ role: 'user', content: 'a\n\nb' }]);
    assert.equal(lmMessageText('plain'), 'plain');
  });
});
