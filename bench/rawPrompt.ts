/**
 * The reference for "first answer after a jump": plain node-llama-cpp evaluating each given fill-in-the-middle
 * prompt from an empty cache in one unsliced call (the suffix-first layout Hearth uses), then generating the
 * same number of tokens. Run by bench/completion.ts in its own process; prints one JSON array of times.
 *
 *   node dist/bench/rawPrompt.js --model PATH --threads N --prompts FILE.json   ([{prefix, suffix, generate}])
 */
import * as fs from 'node:fs';
import { parseArgs } from './args';

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const threads = Number(args.threads);
  const prompts = JSON.parse(fs.readFileSync(String(args.prompts), 'utf8')) as Array<{ prefix: string; suffix: string; generate: number }>;
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: threads, progressLogs: false });
  const model = await llama.loadModel({ modelPath: String(args.model) });
  const context = await model.createContext({ contextSize: 4096, threads, batchSize: 512 });
  const sequence = context.getSequence();
  const { prefix: pre, suffix: suf, middle: mid } = model.tokens.infill;
  if (pre === null || suf === null || mid === null) throw new Error('the model has no FIM tokens');
  const bos = model.tokens.bos !== null && model.tokens.shouldPrependBosToken ? [model.tokens.bos] : [];
  // Warm-up: the first evaluation pays one-off allocations.
  await sequence.evaluateWithoutGeneratingNewTokens(model.tokenize('function warmUp() {'));
  const out: Array<{ promptTokens: number; promptMs: number; generationMs: number; totalMs: number }> = [];
  for (const p of prompts) {
    await sequence.clearHistory();
    const tokens = [...bos, suf, ...model.tokenize(p.suffix, false), pre, ...model.tokenize(p.prefix, false), mid];
    const t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
    const t1 = performance.now();
    let generated = 0;
    if (p.generate > 0) {
      for await (const token of sequence.evaluate([tokens[tokens.length - 1]], { temperature: 0 })) {
        void token;
        if (++generated >= p.generate) break;
      }
    }
    const t2 = performance.now();
    out.push({ promptTokens: tokens.length, promptMs: t1 - t0, generationMs: t2 - t1, totalMs: t2 - t0 });
  }
  console.log(JSON.stringify(out));
  await llama.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
