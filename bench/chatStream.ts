/**
 * What a streaming chat answer costs the extension host per stream tick: the answer is rendered (Markdown,
 * highlighting, sanitizing) as it would be every 33 ms while a model writes ~40 characters per tick. Prints the
 * mean and worst tick for answers of 4, 16 and 48 KB of mixed prose, lists and code. `node dist/bench/chatStream.js`
 */
import type { ChatTurn } from '../src/chat/history';
import { MarkdownRenderer } from '../src/chat/markdown';
import { RenderedAnswers } from '../src/chat/viewState';

function answer(bytes: number): string {
  const parts = [
    'Here is how the **reader** works, step by step, with `fs.readFile` and a [link](https://example.com/docs).\n\n',
    '- first, open the file\n- then read it in chunks\n- finally close it\n\n',
    '```ts\nexport async function read(path: string): Promise<string> {\n  const data = await fs.promises.readFile(path, "utf8");\n  return data.trim();\n}\n```\n\n',
    '| option | meaning |\n|---|---|\n| `utf8` | decode as text |\n\n',
    '> Note: a large file is better streamed.\n\n',
    '```python\nfor line in open(p):\n    print(line.rstrip())\n```\n\n',
  ];
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += parts[i % parts.length];
  return text.slice(0, bytes);
}

function run(bytes: number, perTick: number): { ticks: number; meanMs: number; maxMs: number; lastMs: number } {
  const answers = new RenderedAnswers(new MarkdownRenderer());
  const full = answer(bytes);
  const turn: ChatTurn = { id: 'a', role: 'assistant', content: '', status: 'streaming' } as ChatTurn;
  const times: number[] = [];
  for (let at = perTick; at < full.length + perTick; at += perTick) {
    turn.content = full.slice(0, at);
    const t0 = performance.now();
    answers.html(turn);
    times.push(performance.now() - t0);
  }
  // Warm-up (the lazy Markdown engine load, JIT) is not a stream tick.
  const steady = times.slice(3);
  return { ticks: times.length, meanMs: steady.reduce((a, b) => a + b, 0) / steady.length, maxMs: Math.max(...steady), lastMs: times.at(-1)! };
}

for (const kb of [4, 16, 48]) {
  const r = run(kb * 1024, 40);
  console.log(`${String(kb).padStart(2)} KB: ${r.ticks} ticks, mean ${r.meanMs.toFixed(2)} ms, worst ${r.maxMs.toFixed(2)} ms, last ${r.lastMs.toFixed(2)} ms per tick`);
}
