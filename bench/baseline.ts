/**
 * The baseline: a minimal plain node-llama-cpp script, the way its docs show it, with the thread count set
 * explicitly (its default oversubscribes small machines). Run by bench/engine.ts in its own process, once per
 * thread count; prints one JSON object.
 */
import { parseArgs } from './args';

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const modelPath = String(args.model);
  const threads = Number(args.threads);
  const depths = String(args.depths ?? '0,500,1000').split(',').map(Number);
  const { getLlama, LlamaCompletion } = await import('node-llama-cpp');
  const t0 = performance.now();
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: threads, progressLogs: false });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 2048, threads });
  const loadMs = performance.now() - t0;
  const sequence = context.getSequence();
  const completion = new LlamaCompletion({ contextSequence: sequence });

  const words = ['the', 'little', 'robot', 'walked', 'into', 'garden', 'and', 'found', 'a', 'red', 'flower', 'near', 'old', 'wall'];
  const prompt = (seed: number, n: number) => Array.from({ length: n }, (_, i) => words[(i * 5 + seed) % words.length]).join(' ');
  let text = prompt(1, 10);
  while (model.tokenize(text).length < 1000) text += ` ${words[text.length % words.length]}`;

  // Prompt speed: a 1,000-token prompt, one generated token.
  const beforePrompt = sequence.tokenMeter.usedInputTokens;
  const p0 = performance.now();
  await completion.generateCompletion(text, { maxTokens: 1 });
  const promptMs = performance.now() - p0;
  const promptTokens = sequence.tokenMeter.usedInputTokens - beforePrompt;

  // Repeated prompt with 5 more tokens: what its own prefix reuse evaluates.
  const beforeRepeat = sequence.tokenMeter.usedInputTokens;
  await completion.generateCompletion(`${text} and the cat sat`, { maxTokens: 1 });
  const repeatEvaluated = sequence.tokenMeter.usedInputTokens - beforeRepeat;

  // Generation speed after `depth` tokens of context: 64 tokens, timed from the first generated one's request.
  const generationTps: Record<string, number> = {};
  for (const depth of depths) {
    await sequence.clearHistory();
    const tokens = model.tokenize(text).slice(0, Math.max(1, depth));
    if (tokens.length > 1) await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
    let generated = 0;
    const g0 = performance.now();
    for await (const token of sequence.evaluate([tokens[tokens.length - 1]], { temperature: 0 })) {
      void token;
      if (++generated >= 64) break;
    }
    generationTps[depth] = (generated / (performance.now() - g0)) * 1000;
  }

  // Cancel during a long prompt: abort 50 ms in.
  await sequence.clearHistory();
  const controller = new AbortController();
  const pending = completion.generateCompletion(`${prompt(3, 10)} ${text}`, { maxTokens: 8, signal: controller.signal }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 50));
  const c0 = performance.now();
  controller.abort();
  await pending;
  const cancelMs = performance.now() - c0;

  console.log(JSON.stringify({
    threads, loadMs, promptTps: (promptTokens / promptMs) * 1000, generationTps,
    repeatEvaluatedTokens: repeatEvaluated, cancelDuringPromptMs: cancelMs, peakRssBytes: process.memoryUsage().rss,
  }));
  await llama.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
