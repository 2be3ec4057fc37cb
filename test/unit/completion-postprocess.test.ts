import * as assert from 'node:assert/strict';
import { postProcess } from '../../src/completion/postprocess';
import type { PostContext } from '../../src/completion/prompt';

const spaces = (size: number) => ({ useTabs: false, size });
const tabs = { useTabs: true, size: 4 };

interface Case {
  name: string;
  ctx: Partial<PostContext>;
  raw: string;
  expect: string | undefined;
}

function ctx(over: Partial<PostContext>): PostContext {
  return {
    linePrefix: '', lineSuffix: '', nextLines: [], indent: spaces(4), eol: '\n', multiline: true, maxLines: 20, languageId: 'plaintext',
    ...over,
  };
}

const py = (o: Partial<PostContext>) => ({ languageId: 'python', indent: spaces(4), ...o });
const ts = (o: Partial<PostContext>) => ({ languageId: 'typescript', indent: spaces(2), ...o });
const go = (o: Partial<PostContext>) => ({ languageId: 'go', indent: tabs, ...o });
const rs = (o: Partial<PostContext>) => ({ languageId: 'rust', indent: spaces(4), ...o });
const c = (o: Partial<PostContext>) => ({ languageId: 'c', indent: spaces(4), ...o });
const yaml = (o: Partial<PostContext>) => ({ languageId: 'yaml', indent: spaces(2), ...o });
const prose = (o: Partial<PostContext>) => ({ languageId: 'plaintext', ...o });

const cases: Case[] = [
  // Python
  { name: 'py: function body stops at the next top-level def', ctx: py({ linePrefix: 'def add(a, b):' }), raw: '\n    return a + b\n\ndef sub(a, b):\n    return a - b', expect: '\n    return a + b' },
  { name: 'py: statements keep going through a nested block, stop at dedent', ctx: py({ linePrefix: '    ' }), raw: 'total = 0\n    for x in xs:\n        total += x\n    return total\nprint(1)', expect: 'total = 0\n    for x in xs:\n        total += x\n    return total' },
  { name: 'py: single-line cuts at the newline', ctx: py({ linePrefix: '    x = ', multiline: false, maxLines: 1 }), raw: 'compute(a, b)\n    y = 2', expect: 'compute(a, b)' },
  { name: 'py: leaked FIM marker ends the text', ctx: py({ linePrefix: '    ' }), raw: 'return a<|fim_middle|>junk', expect: 'return a' },
  { name: 'py: stops before re-typing the line below', ctx: py({ linePrefix: '    ', nextLines: ['    return result', ''] }), raw: 'result = a * b\n    return result', expect: 'result = a * b' },
  { name: 'py: spaces from the model become tabs in a tab file', ctx: py({ linePrefix: 'def f():', indent: tabs }), raw: '\n    x = 1\n    return x', expect: '\n\tx = 1\n\treturn x' },
  { name: 'py: method body ends before the next method', ctx: py({ linePrefix: '    def area(self):' }), raw: '\n        return self.w * self.h\n\n    def perimeter(self):\n        return 2', expect: '\n        return self.w * self.h' },
  { name: 'py: else branch continues the block', ctx: py({ linePrefix: '    if x > 0:' }), raw: '\n        return 1\n    else:\n        return -1\n    print("done")', expect: '\n        return 1\n    else:\n        return -1' },
  { name: 'py: whitespace-only is dropped', ctx: py({ linePrefix: '    ' }), raw: '   \n   ', expect: undefined },
  { name: 'py: empty is dropped', ctx: py({ linePrefix: 'x = ' }), raw: '', expect: undefined },
  { name: 'py: max lines', ctx: py({ linePrefix: '    ', maxLines: 2 }), raw: 'a = 1\n    b = 2\n    c = 3', expect: 'a = 1\n    b = 2' },

  // TypeScript
  { name: 'ts: function body with its closing brace', ctx: ts({ linePrefix: 'function add(a: number, b: number) {' }), raw: '\n  return a + b;\n}\n\nexport function sub() {', expect: '\n  return a + b;\n}' },
  { name: 'ts: closing brace already below is not repeated', ctx: ts({ linePrefix: 'function add(a: number, b: number) {', nextLines: ['}'] }), raw: '\n  return a + b;\n}', expect: '\n  return a + b;' },
  { name: 'ts: closing paren after the cursor is not doubled', ctx: ts({ linePrefix: 'console.log(', lineSuffix: ')', multiline: false, maxLines: 1 }), raw: "'hello')", expect: "'hello'" },
  { name: 'ts: nested calls keep their own parens, drop the outer one', ctx: ts({ linePrefix: 'const x = compute(', lineSuffix: ')', multiline: false, maxLines: 1 }), raw: 'getA(), getB())', expect: 'getA(), getB()' },
  { name: 'ts: balanced call before an existing paren stays whole', ctx: ts({ linePrefix: 'wrap(', lineSuffix: ')', multiline: false, maxLines: 1 }), raw: 'foo()', expect: 'foo()' },
  { name: 'ts: string end and semicolon already there', ctx: ts({ linePrefix: 'const s = "hel', lineSuffix: '";', multiline: false, maxLines: 1 }), raw: 'lo world";', expect: 'lo world' },
  { name: 'ts: re-typed rest of line is dropped', ctx: ts({ linePrefix: 'const total = ', lineSuffix: ';', multiline: false, maxLines: 1 }), raw: 'a + b;', expect: 'a + b' },
  { name: 'ts: CRLF document gets CRLF', ctx: ts({ linePrefix: 'if (ok) {', eol: '\r\n' }), raw: '\n  run();\n}', expect: '\r\n  run();\r\n}' },
  { name: 'ts: a line repeated over and over is dropped', ctx: ts({ linePrefix: '  ' }), raw: 'count++;\n  count++;\n  count++;\n  count++;', expect: undefined },
  { name: 'ts: repetition after real lines is cut', ctx: ts({ linePrefix: '  ' }), raw: 'init();\n  step();\n  step();\n  step();', expect: 'init();\n  step();' },
  { name: 'ts: arrow function body', ctx: ts({ linePrefix: 'const f = () =>' }), raw: ' {\n  return 1;\n}\nconst g = 2;', expect: ' {\n  return 1;\n}' },
  { name: 'ts: self-repeating words dropped', ctx: ts({ linePrefix: 'let s = ', multiline: false, maxLines: 1 }), raw: 'foo foo foo foo', expect: undefined },
  { name: 'ts: single-line mid statement', ctx: ts({ linePrefix: '  const y = x', multiline: false, maxLines: 1 }), raw: ' * 2;\n  return y;', expect: ' * 2;' },
  { name: 'ts: object literal ends with its brace', ctx: ts({ linePrefix: 'const o = {' }), raw: '\n  a: 1,\n  b: 2,\n};\nconsole.log(o);', expect: '\n  a: 1,\n  b: 2,\n};' },
  { name: 'ts: } else { continues', ctx: ts({ linePrefix: '  if (a) {' }), raw: '\n    x();\n  } else {\n    y();\n  }\n  z();', expect: '\n    x();\n  } else {\n    y();\n  }' },
  { name: 'ts: tab document, model indents with spaces', ctx: ts({ linePrefix: '\tif (a) {', indent: tabs }), raw: '\n        b();\n\t}', expect: '\n\t\tb();\n\t}' },
  { name: 'ts: double space after the cursor space is avoided', ctx: ts({ linePrefix: 'return ', multiline: false, maxLines: 1 }), raw: '  value;', expect: 'value;' },

  // Go
  { name: 'go: func body, brace already below', ctx: go({ linePrefix: 'func Add(a, b int) int {', nextLines: ['}'] }), raw: '\n\treturn a + b\n}\n\nfunc Sub(a, b int) int {', expect: '\n\treturn a + b' },
  { name: 'go: if err block ends with its brace', ctx: go({ linePrefix: '\tif err != nil {' }), raw: '\n\t\treturn err\n\t}\n\tfmt.Println(x)', expect: '\n\t\treturn err\n\t}' },
  { name: 'go: single line', ctx: go({ linePrefix: '\tx := ', multiline: false, maxLines: 1 }), raw: 'make([]int, 0)\n\tfor', expect: 'make([]int, 0)' },
  { name: 'go: for loop from an empty line, spaces turned into tabs', ctx: go({ linePrefix: '\t' }), raw: 'for i := 0; i < n; i++ {\n        sum += i\n    }\n    return sum', expect: 'for i := 0; i < n; i++ {\n\t\tsum += i\n\t}' },
  { name: 'go: closing brace of the enclosing func ends the statements', ctx: go({ linePrefix: '\t' }), raw: 'return nil\n}\n\nfunc other() {', expect: 'return nil' },

  // Rust
  { name: 'rs: fn body', ctx: rs({ linePrefix: 'fn main() {' }), raw: '\n    println!("hi");\n}\n\nfn other() {}', expect: '\n    println!("hi");\n}' },
  { name: 'rs: match arms', ctx: rs({ linePrefix: '    match x {' }), raw: '\n        Some(v) => v,\n        None => 0,\n    }\n    let y = 2;', expect: '\n        Some(v) => v,\n        None => 0,\n    }' },
  { name: 'rs: `];` already after the cursor', ctx: rs({ linePrefix: '    let v = vec![', lineSuffix: '];', multiline: false, maxLines: 1 }), raw: '1, 2, 3];', expect: '1, 2, 3' },
  { name: 'rs: </s> marker', ctx: rs({ linePrefix: '    let x = ', multiline: false, maxLines: 1 }), raw: '5;</s>garbage', expect: '5;' },
  { name: 'rs: max lines inside an impl', ctx: rs({ linePrefix: 'impl Foo {', maxLines: 2 }), raw: '\n    fn a() {}\n    fn b() {}\n    fn c() {}\n}', expect: '\n    fn a() {}' },

  // C
  { name: 'c: for loop body', ctx: c({ linePrefix: '    for (int i = 0; i < n; i++) {' }), raw: '\n        sum += a[i];\n    }\n    return sum;', expect: '\n        sum += a[i];\n    }' },
  { name: 'c: printf string and paren already closed', ctx: c({ linePrefix: '    printf("', lineSuffix: '");', multiline: false, maxLines: 1 }), raw: 'hello\\n");', expect: 'hello\\n' },
  { name: 'c: main with brace below', ctx: c({ linePrefix: 'int main(void) {', nextLines: ['}'] }), raw: '\n    return 0;\n}', expect: '\n    return 0;' },
  { name: 'c: include angle bracket already there', ctx: c({ linePrefix: '#include <', lineSuffix: '>', multiline: false, maxLines: 1 }), raw: 'stdio.h>', expect: 'stdio.h' },
  { name: 'c: tabs kept in a tab file', ctx: c({ linePrefix: '\twhile (x) {', indent: tabs }), raw: '\n\t\tx--;\n\t}', expect: '\n\t\tx--;\n\t}' },

  // YAML
  { name: 'yaml: mapping block ends at the next top-level key', ctx: yaml({ linePrefix: 'services:' }), raw: '\n  web:\n    image: nginx\ndb:\n  image: pg', expect: '\n  web:\n    image: nginx' },
  { name: 'yaml: list items continue at the same indentation', ctx: yaml({ linePrefix: '  ' }), raw: '- name: b\n  - name: c\nother: 1', expect: '- name: b\n  - name: c' },
  { name: 'yaml: single value', ctx: yaml({ linePrefix: '  image: ', multiline: false, maxLines: 1 }), raw: 'nginx:latest\n  ports:', expect: 'nginx:latest' },

  // Prose
  { name: 'prose: sentence to the end of the line', ctx: prose({ linePrefix: 'The quick brown ', multiline: false, maxLines: 1 }), raw: 'fox jumps over the lazy dog.\nNext paragraph', expect: 'fox jumps over the lazy dog.' },
  { name: 'prose: no double space', ctx: prose({ linePrefix: 'Hello ', multiline: false, maxLines: 1 }), raw: ' world', expect: 'world' },
  { name: 'prose: the model\'s word-separator space at the start of an empty line is dropped, so the paragraph keeps going', ctx: prose({ linePrefix: '' }), raw: ' Once upon a time.\nShe smiled.', expect: 'Once upon a time.\nShe smiled.' },
  { name: 'yaml: one-space indentation is kept in a one-space document', ctx: yaml({ linePrefix: '', indent: spaces(1) }), raw: ' key: value', expect: ' key: value' },
  { name: 'prose: markdown list, trailing blank lines trimmed', ctx: { languageId: 'markdown', linePrefix: '' }, raw: '- item one\n- item two\n\n\n', expect: '- item one\n- item two' },
  { name: 'prose: stuttering model dropped', ctx: prose({ linePrefix: 'It was ', multiline: false, maxLines: 1 }), raw: 'the the the the the', expect: undefined },

  // Across languages
  { name: 'a suggestion equal to the next line is dropped', ctx: py({ linePrefix: '    ', nextLines: ['    return x'] }), raw: 'return x', expect: undefined },
  { name: 'CRLF from the model is not doubled in single-line', ctx: ts({ linePrefix: 'x = ', eol: '\r\n', multiline: false, maxLines: 1 }), raw: 'abc\r\ndef', expect: 'abc' },
  { name: 'trailing whitespace trimmed', ctx: ts({ linePrefix: 'x = ', multiline: false, maxLines: 1 }), raw: 'foo   ', expect: 'foo' },
  { name: 'marker at the very start leaves nothing', ctx: ts({ linePrefix: 'x = ' }), raw: '<|endoftext|>x = 1', expect: undefined },
  { name: 'run of one character dropped', ctx: ts({ linePrefix: 'f(', multiline: false, maxLines: 1 }), raw: ')))))', expect: undefined },
  { name: 'only the rest of the line re-typed: nothing left', ctx: ts({ linePrefix: 'foo(', lineSuffix: ') {', multiline: false, maxLines: 1 }), raw: ') {', expect: undefined },
  { name: 'CRLF and tabs together', ctx: c({ linePrefix: 'void f() {', indent: tabs, eol: '\r\n' }), raw: '\n    g();\n}', expect: '\r\n\tg();\r\n}' },
];

describe('completion post-processing', () => {
  it('has at least 40 cases', () => assert.ok(cases.length >= 40));
  for (const t of cases) {
    it(t.name, () => {
      const result = postProcess(t.raw, ctx(t.ctx));
      assert.equal(result?.text, t.expect);
      if (result) assert.equal(result.multiline, t.expect!.includes('\n'));
    });
  }
});
