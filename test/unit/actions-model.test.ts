/** The action runner against the real worker and both fixture models (no VS Code): shape, splitting, cancel. */
import * as assert from 'node:assert/strict';
import { isCancelled } from '../../src/common/errors';
import { WorkerEngine } from '../../src/engine/workerEngine';
import { runAction } from '../../src/actions/runner';
import { fimChatModel, plainModel } from '../support/paths';
import { realEngine } from '../support/realEngine';


for (const [label, modelPath] of [['plain model (fallback wrapper)', plainModel], ['chat-template model', fimChatModel]] as const) {
  describe(`actions: runner with the real ${label}`, function () {
    this.timeout(60_000);
    let engine: WorkerEngine;
    before(() => {
      engine = realEngine({ modelPath, contextSize: 512 }).engine;
    });
    after(() => engine.dispose());

    it('rewrite streams snapshots that end in the cleaned result, keeping indentation and the trailing newline', async () => {
      const snapshots: string[] = [];
      const result = await runAction(engine, {
        spec: { type: 'rewrite' },
        text: '    the cat sat\n    on the mat\n',
        languageId: 'plaintext',
        fileName: 'story.txt',
        onText: (t) => snapshots.push(t),
      });
      assert.ok(snapshots.length > 1, 'streamed');
      assert.equal(snapshots[snapshots.length - 1], result.text);
      assert.ok(result.text.endsWith('\n') && !result.text.endsWith('\n\n'));
      for (const line of result.text.split('\n').filter((l) => l.trim())) assert.ok(line.startsWith('    '), JSON.stringify(line));
      assert.ok(!result.text.includes('```'));
    });

    it('summarize of text beyond the 512-token context is split and reduced', async () => {
      const text = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: the little dog ran to the park and played with a red ball all day long.`).join('\n\n');
      const progress: string[] = [];
      const result = await runAction(engine, { spec: { type: 'summarize' }, text, languageId: 'markdown', fileName: 'long.md', onProgress: (m) => progress.push(m) });
      assert.ok(result.chunks > 1, `chunks: ${result.chunks}`);
      assert.ok(result.text.trim().length > 0);
      assert.ok(progress.some((p) => /Combining/.test(p)));
    });

    it('cancel mid-stream rejects within 100 ms', async () => {
      const controller = new AbortController();
      let abortedAt = 0;
      const running = runAction(engine, {
        spec: { type: 'explain' },
        text: 'Once upon a time there was a cat.',
        languageId: 'plaintext',
        fileName: 's.txt',
        signal: controller.signal,
        onText: (t) => {
          if (!abortedAt && t.length > 0) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      });
      await assert.rejects(running, (e) => isCancelled(e));
      const ms = performance.now() - abortedAt;
      assert.ok(abortedAt > 0, 'text arrived before cancelling');
      assert.ok(ms < 100, `settled ${ms.toFixed(1)} ms after abort`);
    });
  });
}
