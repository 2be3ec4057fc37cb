import * as assert from 'node:assert/strict';
import {
  ask,
  ConversationStore,
  createConversation,
  editLastQuestion,
  regenerate,
  titleFrom,
} from '../../src/chat/history';
import { MemoryStorage } from '../support/memoryStorage';


describe('chat history: conversation operations', () => {
  it('names a conversation after its first question, shortened to one line', () => {
    const c = createConversation(1);
    ask(c, '  How do I\n read a file?  ', [], 2);
    ask(c, 'second', [], 3);
    assert.equal(c.title, 'How do I read a file?');
    assert.equal(titleFrom('x'.repeat(100)).length, 58);
    assert.equal(titleFrom('   '), 'New chat');
  });

  it('ask adds the question and a streaming answer', () => {
    const c = createConversation();
    const { user, assistant } = ask(c, 'q', [{ id: 'a1', kind: 'file', label: 'f.ts', path: 'f.ts', languageId: 'ts', text: 'x' }]);
    assert.deepEqual(c.turns.map((t) => t.role), ['user', 'assistant']);
    assert.equal(user.attachments?.length, 1);
    assert.equal(assistant.status, 'streaming');
    assert.notEqual(user.id, assistant.id);
  });

  it('regenerate replaces only the last answer', () => {
    const c = createConversation();
    const first = ask(c, 'one');
    first.assistant.content = 'a1';
    first.assistant.status = 'done';
    const second = ask(c, 'two');
    second.assistant.content = 'a2';
    second.assistant.status = 'done';
    const fresh = regenerate(c);
    assert.ok(fresh);
    assert.deepEqual(c.turns.map((t) => t.content), ['one', 'a1', 'two', '']);
    assert.equal(fresh.status, 'streaming');
    assert.notEqual(fresh.id, second.assistant.id);
    assert.equal(regenerate(createConversation()), undefined);
  });

  it('edit and resend replaces the last question, keeps its attachments, drops its answer', () => {
    const c = createConversation();
    const attachment = { id: 'a1', kind: 'selection' as const, label: 's', path: 'a.ts', languageId: 'ts', text: 'code' };
    ask(c, 'first', [attachment]).assistant.content = 'answer';
    const edited = editLastQuestion(c, 'first, better');
    assert.ok(edited);
    assert.deepEqual(c.turns.map((t) => t.content), ['first, better', '']);
    assert.deepEqual(edited.user.attachments, [attachment]);
    assert.equal(c.title, 'first, better', 'the title follows an edited first question');
    assert.equal(editLastQuestion(createConversation(), 'x'), undefined);
  });
});

describe('chat history: store', () => {
  it('saves, lists newest first, reopens and deletes', async () => {
    const storage = new MemoryStorage();
    const store = new ConversationStore(storage);
    const a = createConversation(100);
    ask(a, 'alpha', [], 100);
    const b = createConversation(200);
    ask(b, 'beta', [], 200);
    await store.save(a);
    await store.save(b);
    assert.deepEqual(store.list().map((s) => s.title), ['beta', 'alpha']);
    a.updatedAt = 300;
    await store.save(a);
    assert.deepEqual(store.list().map((s) => s.title), ['alpha', 'beta']);

    const reopened = new ConversationStore(storage).get(a.id);
    assert.equal(reopened?.turns[0].content, 'alpha');
    assert.equal(reopened?.turns[1].status, 'stopped', 'an answer interrupted by a reload reads as stopped');

    assert.equal(await store.delete(b.id), true);
    assert.deepEqual(store.list().map((s) => s.id), [a.id]);
    assert.equal(store.get(b.id), undefined);
    assert.ok(![...storage.data.keys()].some((k) => k.includes(b.id)), 'the deleted conversation left data behind');
    assert.equal(await store.delete('missing'), false);
  });

  it('does not save an empty conversation', async () => {
    const storage = new MemoryStorage();
    await new ConversationStore(storage).save(createConversation());
    assert.equal(storage.data.size, 0);
  });

  it('evicts the oldest conversations beyond its limit', async () => {
    const storage = new MemoryStorage();
    const store = new ConversationStore(storage, 3);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = createConversation(i);
      ask(c, `q${i}`, [], i);
      ids.push(c.id);
      await store.save(c);
    }
    assert.deepEqual(store.list().map((s) => s.title), ['q4', 'q3', 'q2']);
    assert.equal(store.get(ids[0]), undefined);
    assert.equal(storage.data.size, 4, 'index + 3 conversations');
  });

  it('remembers the current conversation and survives corrupt entries', async () => {
    const storage = new MemoryStorage();
    const store = new ConversationStore(storage);
    await store.setCurrent('abc');
    assert.equal(store.currentId(), 'abc');
    await storage.update('hearth.chat.conversation.bad', { id: 'bad', turns: 'nope' });
    assert.equal(store.get('bad'), undefined);
    await storage.update('hearth.chat.index', 'garbage');
    assert.deepEqual(store.list(), []);
  });
});
