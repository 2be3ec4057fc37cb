import * as assert from 'node:assert/strict';
import { buildPrompt, chooseWindowStart, decideMultiline, formatExtra, MAX_LINE_CHARS, SNAP_LINES, type PromptInput, type WindowMemory } from '../../src/completion/prompt';
import { snapshotFromText, type DocumentSnapshot } from '../../src/completion/snapshot';
import { tokensToChars } from '../../src/common/text';

/** `|` marks the cursor. */
function doc(text: string, meta: Parameters<typeof snapshotFromText>[2] = {}): DocumentSnapshot {
  const offset = text.indexOf('|');
  return snapshotFromText(text.slice(0, offset) + text.slice(offset + 1), offset, { relativePath: 'src/a.ts', languageId: 'typescript', ...meta });
}

const input = (over: Partial<PromptInput> = {}): PromptInput => ({
  budgets: { prefixTokens: 512, suffixTokens: 128, extraTokens: 256 }, strategy: 'infill', extra: [], maxLines: 8, ...over,
});

function bigSource(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(i % 7 === 0 ? `function f${i}(a: number) {` : i % 7 === 6 ? '}' : `  const v${i} = a * ${i} + compute(${i});`);
  return out.join('\n');
}

describe('completion prompt: layout', () => {
  it('infill: header, prefix ending at the cursor, suffix with the rest of the line and the lines below', () => {
    const p = buildPrompt(doc('const a = 1;\nconst b = a +| 2;\nconsole.log(b);'), input());
    assert.equal(p.strategy, 'infill');
    assert.equal(p.prefix, '// File: src/a.ts (typescript)\nconst a = 1;\nconst b = a +');
    assert.equal(p.suffix, ' 2;\nconsole.log(b);');
    assert.equal(p.multiline, false);
  });

  it('the header uses the language comment syntax', () => {
    const p = buildPrompt(doc('x = 1\ny = |', { relativePath: 'tools/run.py', languageId: 'python' }), input());
    assert.ok(p.prefix.startsWith('# File: tools/run.py (python)\n'), p.prefix);
  });

  it('closers left by auto-closing are kept out of the suffix (typing `(` does not change it)', () => {
    const a = buildPrompt(doc('call|\nnext();'), input());
    const b = buildPrompt(doc('call(|)\nnext();'), input());
    assert.equal(a.suffix, '\nnext();');
    assert.equal(b.suffix, a.suffix);
    assert.equal(b.post.lineSuffix, ')', 'post-processing still sees the real rest of the line');
  });

  it('complete: no suffix, same prefix text', () => {
    const d = doc('a\nb|\nc');
    const infill = buildPrompt(d, input());
    const complete = buildPrompt(d, input({ strategy: 'complete' }));
    assert.equal(complete.suffix, '');
    assert.equal(complete.prefix, infill.prefix);
  });

  it('extra context goes first, newest chunks kept within budget, oldest first', () => {
    const extra = [{ source: 'old.ts', text: 'x'.repeat(300) }, { source: 'mid.ts', text: 'export const mid = 1;' }, { source: 'new.ts', text: 'export const fresh = 2;' }];
    const p = buildPrompt(doc('let q = |'), input({ extra, budgets: { prefixTokens: 512, suffixTokens: 64, extraTokens: 40 } }));
    const header = p.prefix.indexOf('// File: src/a.ts');
    assert.ok(p.prefix.indexOf('// File: mid.ts') < p.prefix.indexOf('// File: new.ts'));
    assert.ok(p.prefix.indexOf('// File: new.ts') < header);
    assert.ok(!p.prefix.includes('old.ts'), 'the oldest chunk does not fit the budget');
    assert.ok(formatExtra(extra, 'typescript', tokensToChars(40)).length <= tokensToChars(40));
  });

  it('CRLF documents are prompted with \\n', () => {
    const p = buildPrompt(doc('a\r\nb|\r\nc'), input());
    assert.ok(!p.prefix.includes('\r') && !p.suffix.includes('\r'));
    assert.equal(p.post.eol, '\r\n');
  });
});

describe('completion prompt: budgets and window edges', () => {
  it('the prefix window fits the budget, starts on a line boundary snapped to SNAP_LINES', () => {
    const text = bigSource(600);
    const lines = text.split('\n');
    const line = 500;
    const offset = lines.slice(0, line).join('\n').length + 1 + 10;
    const d = snapshotFromText(text, offset, { relativePath: 'big.ts', languageId: 'typescript' });
    const p = buildPrompt(d, input());
    const body = p.prefix.slice(p.prefix.indexOf('\n') + 1);
    assert.ok(body.length <= tokensToChars(512), `${body.length}`);
    assert.equal(p.window.startLine % SNAP_LINES, 0);
    assert.ok(body.startsWith(lines[p.window.startLine] + '\n'));
    assert.ok(p.suffix.length <= tokensToChars(128));
    assert.ok(p.suffix.startsWith(lines[line].slice(10)));
  });

  it('while typing, each prompt extends the previous one (KV-cache prefix reuse) and the suffix stays put', () => {
    let text = bigSource(400);
    let offset = text.split('\n').slice(0, 300).join('\n').length; // end of line 299
    const typed = '\n  const total = items.reduce((sum, item) => sum + item.price, 0);\n  return total * 2;\n  // done with the totals, now the taxes\n  const tax = total * 0.2;';
    let previous: WindowMemory | undefined;
    let last: ReturnType<typeof buildPrompt> | undefined;
    let breaks = 0;
    let suffixChanges = 0;
    for (const ch of typed) {
      text = text.slice(0, offset) + ch + text.slice(offset);
      offset++;
      const p = buildPrompt(snapshotFromText(text, offset, { relativePath: 'big.ts', languageId: 'typescript' }), input({ previous }));
      previous = p.window;
      if (last && !p.prefix.startsWith(last.prefix)) breaks++;
      if (last && p.suffix !== last.suffix) suffixChanges++;
      last = p;
    }
    assert.ok(breaks <= 1, `prefix rebuilt ${breaks} times over ${typed.length} keystrokes`);
    assert.equal(suffixChanges, 0);
  });

  it('a very long line is cut, so one line cannot blow the budget', () => {
    const p = buildPrompt(doc(`${'x'.repeat(50_000)}\nconst y = |`), input());
    assert.ok(p.prefix.length < MAX_LINE_CHARS + 200);
  });

  it('a multi-megabyte document reads only the lines near the cursor', () => {
    let reads = 0;
    const line = 'const filler = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];';
    const d: DocumentSnapshot = {
      key: 'file:///big.ts', relativePath: 'big.ts', languageId: 'typescript', lineCount: 40_000,
      lineAt: (i) => {
        reads++;
        return i === 20_000 ? 'const x = ' : line;
      },
      line: 20_000, character: 10, offset: 20_000 * (line.length + 1) + 10, eol: '\n', indent: { useTabs: false, size: 2 },
    };
    assert.ok(40_000 * line.length > 1_000_000);
    const p = buildPrompt(d, input());
    assert.ok(reads < 200, `${reads} line reads`);
    assert.ok(p.prefix.endsWith('const x = '));
  });
});

describe('completion prompt: chooseWindowStart', () => {
  // sizes: every line 10 characters; head 5.
  const sizes = (n: number) => Array.from({ length: n }, () => 10);
  const table: Array<{ name: string; cursor: number; budget: number; previous?: number; expect: number }> = [
    { name: 'everything fits: the file start', cursor: 20, budget: 1000, expect: 0 },
    // 40 lines fit (start 60); three quarters of the budget reach line 71, snapped down to 64.
    { name: 'snapped to a multiple of SNAP_LINES with room to grow', cursor: 100, budget: 405, expect: 64 },
    { name: 'keeps the previous start while it fits', cursor: 100, budget: 405, previous: 70, expect: 70 },
    { name: 'moves when the previous start no longer fits', cursor: 100, budget: 405, previous: 32, expect: 64 },
    { name: 'moves when the previous start leaves too little context', cursor: 100, budget: 405, previous: 96, expect: 64 },
    { name: 'ignores a previous start below the cursor', cursor: 100, budget: 405, previous: 120, expect: 64 },
    { name: 'snaps up when snapping down would not fit', cursor: 100, budget: 195, expect: 96 },
  ];
  for (const t of table) {
    it(t.name, () => {
      const start = chooseWindowStart(t.cursor, 5, sizes(t.cursor), t.budget, t.previous);
      assert.equal(start, t.expect);
      let used = 5;
      for (let i = 0; i < t.cursor - start; i++) used += 10;
      assert.ok(used <= t.budget);
    });
  }
});

describe('completion prompt: single vs multi-line', () => {
  const table: Array<[string, string, string, boolean]> = [
    ['  ', '', 'typescript', true],
    ['function f() {', '', 'typescript', true],
    ['def f(x):', '', 'python', true],
    ['items:', '', 'yaml', true],
    ['const x = ', '', 'typescript', false],
    ['foo(', ')', 'typescript', true],
    ['const a = b', ' + c;', 'typescript', false],
    ['label:', '', 'c', false],
    ['The quick', '', 'plaintext', false],
    ['const f = () =>', '', 'typescript', true],
  ];
  for (const [prefix, suffix, lang, expected] of table) {
    it(`${JSON.stringify(prefix)} | ${JSON.stringify(suffix)} (${lang}) → ${expected ? 'multi' : 'single'}`, () => {
      assert.equal(decideMultiline(prefix, suffix, lang), expected);
    });
  }
});
