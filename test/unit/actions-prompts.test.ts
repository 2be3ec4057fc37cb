import * as assert from 'node:assert/strict';
import { actionTitle, buildMessages, buildReduceMessages, outputMode, samplingFor, type ActionSpec } from '../../src/actions/prompts';
import { fence } from '../../src/common/text';
import { textKind } from '../../src/actions/textKind';

const ctx = (languageId: string, text = 'x') => ({ text, languageId, fileName: 'a.file' });

describe('actions: prompt assembly', () => {
  it('classifies languages as code, prose or Markdown', () => {
    assert.equal(textKind('typescript'), 'code');
    assert.equal(textKind('python'), 'code');
    assert.equal(textKind('markdown'), 'markdown');
    assert.equal(textKind('plaintext'), 'prose');
    assert.equal(textKind('latex'), 'prose');
  });

  const specs: ActionSpec[] = [
    { type: 'summarize' },
    { type: 'explain' },
    { type: 'rewrite' },
    { type: 'transform', instruction: 'make it shout' },
    { type: 'custom', action: { name: 'Doc', prompt: 'Document {{selection}} in {{language}}', output: 'insertBelow' } },
  ];
  for (const spec of specs) {
    for (const languageId of ['typescript', 'plaintext', 'markdown']) {
      it(`${spec.type} on ${languageId}: a system message then a user message holding the text`, () => {
        const messages = buildMessages(spec, ctx(languageId, 'THE_TEXT_42'));
        assert.deepEqual(messages.map((m) => m.role), ['system', 'user']);
        assert.ok(messages[1].content.includes('THE_TEXT_42'));
        assert.ok(messages[0].content.length > 20);
      });
    }
  }

  it('code prompts name the language and fence the code with its id', () => {
    const [, user] = buildMessages({ type: 'rewrite' }, ctx('python', 'x=1'));
    assert.match(user.content, /Python code/);
    assert.match(user.content, /```python\nx=1\n```/);
    assert.match(user.content, /without changing what it does/);
  });

  it('prose rewrite asks to keep meaning and voice; Markdown rewrite to keep formatting', () => {
    assert.match(buildMessages({ type: 'rewrite' }, ctx('plaintext'))[1].content, /meaning and the author's voice/);
    assert.match(buildMessages({ type: 'rewrite' }, ctx('markdown'))[1].content, /Markdown formatting/);
    assert.doesNotMatch(buildMessages({ type: 'rewrite' }, ctx('plaintext'))[1].content, /Markdown formatting/);
  });

  it('replacing actions forbid fences and preambles; showing actions ask for Markdown', () => {
    assert.match(buildMessages({ type: 'rewrite' }, ctx('go'))[0].content, /no Markdown code fences/);
    assert.match(buildMessages({ type: 'transform', instruction: 'x' }, ctx('go'))[0].content, /no introduction/);
    assert.match(buildMessages({ type: 'summarize' }, ctx('go'))[0].content, /Markdown/);
  });

  it('transform carries the instruction', () => {
    assert.match(buildMessages({ type: 'transform', instruction: '  convert to async/await ' }, ctx('javascript'))[1].content, /^Instruction: convert to async\/await\n/);
  });

  it('custom actions substitute the template variables', () => {
    const spec: ActionSpec = { type: 'custom', action: { name: 'N', prompt: 'In {{fileName}} ({{language}}): {{selection}}', output: 'show' } };
    assert.equal(buildMessages(spec, { text: 'SEL', languageId: 'rust', fileName: 'm.rs' })[1].content, 'In m.rs (Rust): SEL');
  });

  it('whole-file and part context are stated', () => {
    assert.match(buildMessages({ type: 'summarize' }, { ...ctx('go'), wholeFile: true })[1].content, /the file a\.file/);
    assert.match(buildMessages({ type: 'summarize' }, { ...ctx('go'), part: { index: 1, count: 3 } })[1].content, /part 2 of 3/);
  });

  it('a Markdown selection with code blocks is fenced with a longer fence', () => {
    const text = 'a\n```js\nx\n```';
    assert.equal(fence(text, 'markdown'), '````markdown\na\n```js\nx\n```\n````');
  });

  it('reduce prompts list the parts in order', () => {
    const [, user] = buildReduceMessages({ type: 'summarize' }, ['first', 'second'], { languageId: 'go', fileName: 'f.go' });
    assert.ok(user.content.indexOf('Part 1:\nfirst') < user.content.indexOf('Part 2:\nsecond'));
    assert.match(user.content, /summaries/);
  });

  it('output modes and titles', () => {
    assert.equal(outputMode({ type: 'summarize' }), 'show');
    assert.equal(outputMode({ type: 'rewrite' }), 'replace');
    assert.equal(outputMode({ type: 'custom', action: { name: 'a', prompt: 'p', output: 'insertBelow' } }), 'insertBelow');
    assert.equal(actionTitle({ type: 'custom', action: { name: 'Add docs', prompt: 'p', output: 'show' } }), 'Add docs');
  });

  it('sampling: room for a rewrite as long as its input, never more than is free', () => {
    assert.equal(samplingFor({ type: 'rewrite' }, 100, 10_000).maxTokens, 214);
    assert.equal(samplingFor({ type: 'rewrite' }, 100, 50).maxTokens, 50);
    assert.ok(samplingFor({ type: 'summarize' }, 5000, 10_000).maxTokens < 1000);
    assert.ok((samplingFor({ type: 'rewrite' }, 1, 100).temperature ?? 1) <= 0.3);
  });
});
