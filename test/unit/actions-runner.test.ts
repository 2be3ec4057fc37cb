import * as assert from 'node:assert/strict';
import { runAction } from '../../src/actions/runner';
import { isCancelled } from '../../src/common/errors';
import { FakeEngine } from '../support/fakeEngine';

describe('actions: running an action against the engine (fake)', () => {
  it('rewrite: one chat call, streamed and cleaned snapshots, result re-indented', async () => {
    const engine = new FakeEngine();
    engine.replies = ['Here is the tidied code:\n```ts\nif (a) {\n  b();\n}\n```\nDone!'];
    const seen: string[] = [];
    const result = await runAction(engine, {
      spec: { type: 'rewrite' },
      text: '    if(a){\n      b()\n    }\n',
      languageId: 'typescript',
      fileName: 'x.ts',
      onText: (t) => seen.push(t),
    });
    assert.equal(result.text, '    if (a) {\n      b();\n    }\n');
    assert.equal(result.chunks, 1);
    const chats = engine.calls.filter((c) => c.type === 'chat');
    assert.equal(chats.length, 1);
    assert.equal(chats[0].messages![0].role, 'system');
    assert.ok(seen.length > 3, 'streamed several snapshots');
    assert.ok(seen.every((s) => !s.includes('```') && !s.startsWith('Here')), `no fence or preamble shown: ${JSON.stringify(seen)}`);
    assert.equal(seen[seen.length - 1], result.text);
  });

  it('keeps CRLF line endings', async () => {
    const engine = new FakeEngine();
    engine.replies = ['one\ntwo'];
    const result = await runAction(engine, { spec: { type: 'rewrite' }, text: 'a\r\nb\r\n', languageId: 'plaintext', fileName: 'n.txt', eol: '\r\n' });
    assert.equal(result.text, 'one\r\ntwo\r\n');
  });

  it('summarize with text that fits: one streamed call whose Markdown is shown', async () => {
    const engine = new FakeEngine();
    engine.replies = ['```markdown\n# Sum\nIt adds.\n```'];
    let last = '';
    const result = await runAction(engine, { spec: { type: 'summarize' }, text: 'a + b', languageId: 'python', fileName: 'p.py', onText: (t) => (last = t) });
    assert.equal(result.text, '# Sum\nIt adds.\n');
    assert.equal(last, result.text);
  });

  it('summarize beyond the context: map every part, then reduce; only the final answer is streamed', async () => {
    const engine = new FakeEngine();
    engine.contextSize = 512;
    engine.replies = [(call) => (call.messages![1].content.includes('consecutive parts') ? 'FINAL SUMMARY' : 'part summary')];
    const paragraph = 'This sentence is part of a long story about a cat. '.repeat(6);
    const text = Array.from({ length: 12 }, (_, i) => `${i}: ${paragraph}`).join('\n\n');
    const progress: string[] = [];
    const shown: string[] = [];
    const result = await runAction(engine, {
      spec: { type: 'summarize' },
      text,
      languageId: 'plaintext',
      fileName: 'story.txt',
      onProgress: (m) => progress.push(m),
      onText: (t) => shown.push(t),
    });
    assert.ok(result.chunks > 2, `split into ${result.chunks}`);
    assert.equal(result.text, 'FINAL SUMMARY\n');
    const chats = engine.calls.filter((c) => c.type === 'chat');
    assert.ok(chats.length > result.chunks, 'map calls plus at least one reduce');
    for (const c of chats) {
      const promptChars = c.messages!.map((m) => m.content).join('').length;
      assert.ok(promptChars / 4 + c.sampling!.maxTokens <= 512 + 64, `request fits the context (${promptChars} chars, ${c.sampling!.maxTokens} out)`);
    }
    assert.ok(progress.some((p) => /part 1 of/.test(p)) && progress.some((p) => /Combining/.test(p)));
    assert.ok(shown.every((s) => !s.includes('part summary')), 'map answers are not shown as the result');
  });

  it('rewrite beyond the context: pieces are rewritten in order and reassembled with their separators', async () => {
    const engine = new FakeEngine();
    engine.contextSize = 512;
    engine.replies = [(call) => {
      const body = /```text\n([\s\S]*)\n```/.exec(call.messages![1].content)![1];
      return body.toUpperCase();
    }];
    const text = Array.from({ length: 10 }, (_, i) => `paragraph ${i} ` + 'words go here. '.repeat(12)).join('\n\n') + '\n';
    const result = await runAction(engine, { spec: { type: 'rewrite' }, text, languageId: 'plaintext', fileName: 't.txt' });
    assert.ok(result.chunks > 1);
    assert.equal(result.text, text.toUpperCase().replace(/[ \t]+$/gm, ''));
  });

  it('insertBelow output takes the indentation of the selection', async () => {
    const engine = new FakeEngine();
    engine.replies = ['```\n// adds\n// numbers\n```'];
    const result = await runAction(engine, {
      spec: { type: 'custom', action: { name: 'Doc', prompt: 'Doc {{selection}}', output: 'insertBelow' } },
      text: 'add(a, b)',
      languageId: 'javascript',
      fileName: 'j.js',
      baseIndent: '  ',
    });
    assert.equal(result.text, '  // adds\n  // numbers');
  });

  it('cancelling mid-stream rejects with a cancellation and stops streaming', async () => {
    const engine = new FakeEngine();
    engine.replies = ['x'.repeat(400)];
    engine.chunkDelayMs = 5;
    const controller = new AbortController();
    let chunks = 0;
    const running = runAction(engine, {
      spec: { type: 'rewrite' },
      text: 'y',
      languageId: 'plaintext',
      fileName: 'a.txt',
      signal: controller.signal,
      onText: () => {
        if (++chunks === 3) controller.abort();
      },
    });
    await assert.rejects(running, (e) => isCancelled(e));
    assert.ok(chunks < 6, `stopped after ${chunks} snapshots`);
  });

  it('an aborted signal before the start makes no request', async () => {
    const engine = new FakeEngine();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(runAction(engine, { spec: { type: 'explain' }, text: 'y', languageId: 'go', fileName: 'a.go', signal: controller.signal }), (e) => isCancelled(e));
    assert.equal(engine.calls.filter((c) => c.type === 'chat').length, 0);
  });
});
