import * as assert from 'node:assert/strict';
import { cleanMarkdown, cleanReplacement, reindent, stripWrapping } from '../../src/actions/clean';

const clean = (raw: string, original: string, extra: { startsMidLine?: boolean; eol?: '\n' | '\r\n'; tabSize?: number } = {}) =>
  cleanReplacement(raw, { original, ...extra }, true);

describe('actions: output cleaning', () => {
  describe('fences', () => {
    it('unwraps a fence with a language tag', () => {
      assert.equal(clean('```ts\nconst a = 1;\n```', 'const a=1;'), 'const a = 1;');
    });
    it('unwraps a fence without a language tag', () => {
      assert.equal(clean('```\nhello world\n```', 'helo world'), 'hello world');
    });
    it('unwraps a tilde fence', () => {
      assert.equal(clean('~~~python\nx = 1\n~~~', 'x=1'), 'x = 1');
    });
    it('unwraps a fence with a preamble before it and chatter after it', () => {
      const raw = 'Here is the tidied code:\n\n```js\nlet x = 1;\n```\n\nI renamed nothing and kept behaviour.';
      assert.equal(clean(raw, 'let x=1;'), 'let x = 1;');
    });
    it('unwraps an unclosed fence (the model stopped early)', () => {
      assert.equal(clean('```go\nfmt.Println("hi")', 'fmt.Println( "hi" )'), 'fmt.Println("hi")');
    });
    it('keeps fences that belong to a Markdown original', () => {
      const original = 'Intro text.\n\n```sh\nnpm i\n```\n';
      const raw = 'Intro text, fixed.\n\n```sh\nnpm i\n```';
      assert.equal(clean(raw, original), 'Intro text, fixed.\n\n```sh\nnpm i\n```\n');
    });
    it('unwraps an outer markdown fence around a Markdown original with code blocks', () => {
      const original = 'Some text.\n\n```sh\nls\n```';
      const raw = '````markdown\nSome better text.\n\n```sh\nls\n```\n````';
      assert.equal(clean(raw, original), 'Some better text.\n\n```sh\nls\n```');
    });
    it('hides an opening fence while streaming', () => {
      assert.equal(cleanReplacement('```ts\nconst a', { original: 'const a' }, false), 'const a');
    });
  });

  describe('preambles and chatter', () => {
    it('drops "Here is the rewritten text:"', () => {
      assert.equal(clean('Here is the rewritten text:\nThe cat sat on the mat.', 'the cat sit on mat'), 'The cat sat on the mat.');
    });
    it('drops "Sure! Here\'s a cleaner version." with a blank line after', () => {
      assert.equal(clean("Sure! Here's a cleaner version.\n\nWe went home.", 'we goes home'), 'We went home.');
    });
    it('drops a lone "Certainly!" opener', () => {
      assert.equal(clean('Certainly!\nWe went home.', 'we goes home'), 'We went home.');
    });
    it('drops a "Rewritten text:" label', () => {
      assert.equal(clean('Rewritten text:\nWe went home.', 'we goes home'), 'We went home.');
    });
    it('keeps a first line that the original also starts with', () => {
      assert.equal(clean('Here is the plan:\n- a\n- b', 'Here is the plan:\n- a\n-b'), 'Here is the plan:\n- a\n- b');
    });
    it('drops "Let me know if…" after a blank line', () => {
      assert.equal(clean('We went home.\n\nLet me know if you want more changes!', 'we goes home'), 'We went home.');
    });
    it('drops "This version improves readability…" and a separator', () => {
      assert.equal(clean('a = 1\n\n---\n\nThis version improves readability.', 'a=1'), 'a = 1');
    });
    it('drops a "Changes made:" list', () => {
      assert.equal(clean('We went home.\n\nChanges made:\n- fixed the verb', 'we goes home'), 'We went home.');
    });
    it('keeps a last paragraph that the original has', () => {
      const original = 'First.\n\nLet me know if it rains.';
      assert.equal(clean('First one.\n\nLet me know if it rains.', original), 'First one.\n\nLet me know if it rains.');
    });
    it('removes quotes the model added around the answer', () => {
      assert.equal(clean('"We went home."', 'we goes home'), 'We went home.');
    });
    it('keeps quotes the original had', () => {
      assert.equal(clean('"We went home."', '"we goes home"'), '"We went home."');
    });
    it('hides an unfinished opener while streaming, then shows content', () => {
      assert.equal(cleanReplacement('Here is the rew', { original: 'x' }, false), '');
      assert.equal(cleanReplacement('Here is the rewritten text:\nWe we', { original: 'x' }, false), 'We we');
    });
  });

  describe('line endings and whitespace', () => {
    it('converts to CRLF when the original uses CRLF', () => {
      assert.equal(clean('line one\nline two', 'line 1\r\nline 2'), 'line one\r\nline two');
    });
    it('converts CRLF model output to LF for an LF document', () => {
      assert.equal(clean('a\r\nb\r\n', 'x\ny', { eol: '\n' }), 'a\nb');
    });
    it('keeps the original trailing newline (whole-line selection)', () => {
      assert.equal(clean('foo()\n\n\n', 'foo( )\n'), 'foo()\n');
    });
    it('does not add a trailing newline the original lacks', () => {
      assert.equal(clean('foo()\n', 'foo( )'), 'foo()');
    });
    it('keeps leading blank lines of the original', () => {
      assert.equal(clean('foo()', '\nfoo( )'), '\nfoo()');
    });
    it('strips trailing spaces on lines', () => {
      assert.equal(clean('a   \nb\t', 'a\nb'), 'a\nb');
    });
    it('keeps CRLF and trailing newline together', () => {
      assert.equal(clean('```\nx\ny\n```', 'x \r\ny \r\n'), 'x\r\ny\r\n');
    });
  });

  describe('indentation', () => {
    it('re-indents dedented output to the selection indentation', () => {
      const original = '    if (a) {\n      b();\n    }\n';
      assert.equal(clean('if (a) {\n  b();\n}', original), '    if (a) {\n      b();\n    }\n');
    });
    it('keeps nested indentation relative to the base', () => {
      const original = '  def f():\n      if x:\n          return 1\n';
      const raw = 'def f():\n    if x:\n        return 1\n';
      assert.equal(clean(raw, original), '  def f():\n      if x:\n          return 1\n');
    });
    it('converts space indentation to tabs for a tab-indented original', () => {
      const original = '\tif (a) {\n\t\tb();\n\t}';
      assert.equal(clean('if (a) {\n    b();\n}', original), '\tif (a) {\n\t\tb();\n\t}');
    });
    it('converts tab indentation to the original two-space style', () => {
      const original = 'if (a) {\n  b();\n}';
      assert.equal(clean('if (a) {\n\tb();\n}', original), 'if (a) {\n  b();\n}');
    });
    it('leaves the first line alone when the selection starts mid-line', () => {
      const original = 'foo(a,\n      b)';
      assert.equal(clean('foo(\n  a,\n  b)', original, { startsMidLine: true }), 'foo(\n      a,\n      b)');
    });
    it('keeps odd extra spaces (doc comment stars)', () => {
      const original = '  /**\n   * Hi\n   */';
      assert.equal(clean('/**\n * Hello\n */', original), '  /**\n   * Hello\n   */');
    });
    it('does not indent blank lines', () => {
      assert.equal(clean('a\n\nb', '    x\n\n    y'), '    a\n\n    b');
    });
    it('reindent leaves already-correct output unchanged', () => {
      const text = '    a\n      b';
      assert.equal(reindent(text, { original: '    x\n      y' }), text);
    });
  });

  it('stripWrapping keeps plain answers untouched', () => {
    assert.equal(stripWrapping('just text', 'orig', true), 'just text');
  });

  describe('markdown answers', () => {
    it('unwraps a ```markdown fence and ends with one newline', () => {
      assert.equal(cleanMarkdown('```markdown\n# Title\n\nBody\n```\n\n', true), '# Title\n\nBody\n');
    });
    it('keeps inner code blocks of an explanation', () => {
      const raw = 'It adds:\n\n```js\na + b\n```';
      assert.equal(cleanMarkdown(raw, true), 'It adds:\n\n```js\na + b\n```\n');
    });
    it('drops a "Here is a summary:" opener', () => {
      assert.equal(cleanMarkdown('Here is a summary:\n\nThe code adds.', true), 'The code adds.\n');
    });
  });
});
