import * as assert from 'node:assert/strict';
import type { ChatMessage } from '../../src/common/protocol';
import { answerReserve, planPrompt, turnsToMessages } from '../../src/chat/contextBudget';
import { estimateTokens } from '../../src/common/text';
import type { ChatTurn } from '../../src/chat/history';

/** One token per word: easy to reason about in assertions. */
const words = (text: string) => (text.trim() ? text.trim().split(/\s+/).length : 0);
const history = (pairs: number, wordsEach = 10): ChatMessage[] => {
  const out: ChatMessage[] = [];
  for (let i = 0; i < pairs; i++) {
    out.push({ role: 'user', content: `q${i} ` + 'w '.repeat(wordsEach - 1) }, { role: 'assistant', content: `a${i} ` + 'w '.repeat(wordsEach - 1) });
  }
  return out;
};

describe('chat context budget', () => {
  it('keeps everything when it fits', async () => {
    const plan = await planPrompt({ system: 'be brief', history: history(2), question: 'why', context: '', contextSize: 1000, maxTokens: 100, count: words });
    assert.equal(plan.messages.length, 1 + 4 + 1);
    assert.equal(plan.droppedMessages, 0);
    assert.equal(plan.summarized, false);
    assert.equal(plan.maxTokens, 100);
    assert.equal(plan.messages.at(-1)?.content, 'why');
  });

  it('drops the oldest exchanges first, whole, and notes the dropped questions', async () => {
    // 20 exchanges of 2×(10+overhead 6) = 32 tokens each; window 400 with a 100-token answer reserve.
    const plan = await planPrompt({ history: history(20), question: 'last question', context: '', contextSize: 400, maxTokens: 100, count: words });
    assert.ok(plan.droppedMessages > 0 && plan.droppedMessages % 2 === 0, `dropped ${plan.droppedMessages}`);
    assert.ok(plan.promptTokens <= 400 - 100, `prompt ${plan.promptTokens} tokens`);
    const kept = plan.messages.filter((m) => m.role !== 'system');
    assert.equal(kept[0].role, 'user', 'history starts with a question');
    assert.match(kept[0].content, /^q(\d+)/);
    const firstKept = Number(/^q(\d+)/.exec(kept[0].content)![1]);
    assert.equal(firstKept, plan.droppedMessages / 2, 'the newest exchanges are the ones kept');
    assert.equal(kept.at(-1)?.content, 'last question');
    assert.ok(plan.summarized);
    assert.match(plan.messages[0].content, /Earlier in this conversation/);
    assert.match(plan.messages[0].content, new RegExp(`q${firstKept - 1}`), 'the newest dropped question is in the note');
  });

  it('never fails: oversized context, then question, shrink to fit a tiny window', async () => {
    const big = 'word '.repeat(5000);
    const plan = await planPrompt({ system: 'sys', history: history(3), question: 'explain ' + 'q '.repeat(300), context: big, contextSize: 128, maxTokens: 512, count: words });
    assert.ok(plan.contextShortened);
    assert.ok(plan.promptTokens + plan.maxTokens <= 128, `${plan.promptTokens} + ${plan.maxTokens} > 128`);
    assert.ok(plan.maxTokens >= 1);
    assert.equal(plan.messages.at(-1)?.role, 'user');
    assert.ok(plan.messages.at(-1)!.content.length > 0);
  });

  it('shortens the attached context before the question itself', async () => {
    const plan = await planPrompt({ history: [], question: 'what is this', context: 'ctx '.repeat(1000), contextSize: 512, maxTokens: 128, count: words });
    assert.ok(plan.contextShortened);
    assert.equal(plan.questionShortened, false);
    assert.ok(plan.messages.at(-1)!.content.endsWith('what is this'));
  });

  it('reserves room for the answer: the requested amount, at most half the window', () => {
    assert.equal(answerReserve(4096, 512), 512);
    assert.equal(answerReserve(512, 512), 256);
    assert.equal(answerReserve(100, 1), 25);
  });

  it('works with an async counter (the engine tokenizer)', async () => {
    const plan = await planPrompt({ history: history(1), question: 'q', context: '', contextSize: 200, maxTokens: 10, count: async (t) => estimateTokens(t) });
    assert.equal(plan.messages.length, 3);
  });

  it('turns completed exchanges into messages, skipping failed or empty answers', () => {
    const t = (role: 'user' | 'assistant', content: string, status?: ChatTurn['status']): ChatTurn => ({ id: content || 'x', role, content, createdAt: 0, status });
    const msgs = turnsToMessages(
      [t('user', 'q1'), t('assistant', 'a1', 'done'), t('user', 'q2'), t('assistant', '', 'error'), t('user', 'q3'), t('assistant', 'half', 'stopped'), t('user', 'q4'), t('assistant', 'x', 'streaming')],
      (turn) => `[${turn.content}]`,
    );
    assert.deepEqual(msgs, [
      { role: 'user', content: '[q1]' }, { role: 'assistant', content: 'a1' },
      { role: 'user', content: '[q3]' }, { role: 'assistant', content: 'half' },
    ]);
  });
});
