/**
 * A streaming answer is rendered block by block, reusing the blocks that did not change: at every point of the
 * stream the result must be exactly what rendering the whole text afresh gives.
 */
import * as assert from 'node:assert/strict';
import type { ChatTurn } from '../../src/chat/history';
import { type BlockCache, MarkdownRenderer } from '../../src/chat/markdown';
import { RenderedAnswers } from '../../src/chat/viewState';

/** Answers that exercise what can change an earlier block's rendering when text is added after it. */
const ANSWERS = [
  'A paragraph\ncontinued\n===\n\nText with [a ref][r] and [r] again.\n\n[r]: https://example.com/ref "Title"\n\nAfter.',
  'Old line ends\r\nare normalized\r\rfirst\r\n\r\n```\r\ncode\r\n```\r\n',
  '- one\n- two\n\n- three (the list turns loose)\n\n1. a\n2. b\n\n7. starts at seven\n\n> quote\nlazy line\n\n> second\n\n---\n',
  '```ts\nconst a = 1;\n\nconst b = 2;\n```\n\ntext `code` **bold**\n\n```py\nprint("x")\n```\n\n    indented code\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nhttps://example.com/auto\n',
  'Unclosed ```js\n```js\nlet x = 1;\n\nlet y = 2;\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) and <b>raw</b>\n\n* a\n  * nested\n\n    more\n* b\n\nfoo\nbar\n---\n',
];

describe('chat: incremental rendering of a streaming answer', () => {
  const markdown = new MarkdownRenderer();

  for (const [index, text] of ANSWERS.entries()) {
    it(`answer ${index + 1}: every prefix renders exactly as a fresh full render`, () => {
      const cache: BlockCache = new Map();
      for (let at = 1; at <= text.length; at++) {
        const prefix = text.slice(0, at);
        assert.equal(markdown.renderBlocks(prefix, cache), markdown.render(prefix), `after ${at} characters: ${JSON.stringify(prefix.slice(-40))}`);
      }
    });
  }

  it('reuses the finished blocks: the cache holds only the blocks of the latest text', () => {
    const cache: BlockCache = new Map();
    const text = 'first paragraph\n\n```js\nx()\n```\n\nthe tail';
    markdown.renderBlocks(text, cache);
    assert.equal(cache.size, 3);
    const before = [...cache.values()];
    markdown.renderBlocks(`${text} grows`, cache);
    const after = [...cache.values()];
    assert.equal(cache.size, 3);
    assert.equal(after[0], before[0], 'the first block was not rendered again');
    assert.equal(after[1], before[1], 'the code block was not rendered again');
    assert.notEqual(after[2], before[2]);
  });

  it('the rendered answers of the views use it, and give the same HTML as a full render', () => {
    const answers = new RenderedAnswers(markdown);
    const turn = { id: 'a1', role: 'assistant', content: '', status: 'streaming' } as ChatTurn;
    const full = ANSWERS[2];
    for (let at = 5; at < full.length + 5; at += 5) {
      turn.content = full.slice(0, at);
      assert.equal(answers.html(turn), markdown.render(turn.content));
    }
  });
});
