/**
 * Runs one action against the engine: sizes the work to the model's context, splits long text, streams the
 * cleaned result as it grows. No `vscode` here, so the glue's logic is tested against the fake engine in plain
 * mocha; the extension side only decides where the text goes.
 */
import { type InferenceEngine } from '../common/engine';
import { CancelledError } from '../common/errors';
import type { ChatMessage } from '../common/protocol';
import { eolOf, type Eol } from '../common/text';
import { ACTION_CHARS_PER_TOKEN, estimateTokens, inputBudgetChars, mapReduce, splitAtBoundaries } from './chunking';
import { cleanMarkdown, cleanReplacement } from './clean';
import { buildMessages, buildReduceMessages, outputMode, samplingFor, type ActionSpec, type PromptContext } from './prompts';

export interface RunInput {
  spec: ActionSpec;
  text: string;
  languageId: string;
  fileName: string;
  wholeFile?: boolean;
  /** The selection starts after other text on its line. */
  startsMidLine?: boolean;
  /** For insertBelow: the indentation of the selection's first line, which the inserted text takes. */
  baseIndent?: string;
  eol?: Eol;
  tabSize?: number;
  signal?: AbortSignal;
  /** The whole cleaned result so far, each time it grows. */
  onText?(text: string): void;
  onProgress?(message: string): void;
}

export interface RunResult {
  text: string;
  /** How many pieces the input was split into (1: it fitted). */
  chunks: number;
}

/** Template and wrapper tokens the chat formatting adds around the messages. */
const TEMPLATE_SLACK_TOKENS = 48;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('cancel');
}

export async function runAction(engine: InferenceEngine, input: RunInput): Promise<RunResult> {
  const mode = outputMode(input.spec);
  const info = await engine.modelInfo();
  throwIfAborted(input.signal);
  const base: Omit<PromptContext, 'text'> = { languageId: input.languageId, fileName: input.fileName, wholeFile: input.wholeFile };

  const textTokens = input.text.length > 0 ? await engine.countTokens(input.text) : 0;
  const charsPerToken = textTokens > 0 ? Math.max(1, input.text.length / textTokens) : ACTION_CHARS_PER_TOKEN;
  const overheadText = buildMessages(input.spec, { ...base, text: '', part: { index: 0, count: 2 } }).map((m) => m.content).join('\n');
  const overheadTokens = estimateTokens(overheadText) + TEMPLATE_SLACK_TOKENS;
  const free = Math.max(32, info.contextSize - overheadTokens);
  // A rewrite's answer is about as long as its input, a summary much shorter: budget the input accordingly.
  const outputReserve = mode === 'show' ? Math.min(samplingFor(input.spec, 0, free).maxTokens, Math.floor(free / 3)) : Math.ceil((free * 1.6) / 2.6);
  const maxChars = inputBudgetChars({ contextSize: info.contextSize, overheadTokens, outputTokens: outputReserve, charsPerToken });

  const chat = async (messages: ChatMessage[], inputTokens: number, onRaw?: (raw: string) => void): Promise<string> => {
    throwIfAborted(input.signal);
    const promptTokens = estimateTokens(messages.map((m) => m.content).join('\n')) + TEMPLATE_SLACK_TOKENS;
    const sampling = samplingFor(input.spec, inputTokens, Math.max(16, info.contextSize - promptTokens));
    let raw = '';
    const result = await engine.chat(messages, sampling, {
      signal: input.signal,
      onChunk: onRaw
        ? (piece) => {
            raw += piece;
            onRaw(raw);
          }
        : undefined,
    });
    return result.text;
  };

  if (mode === 'show') {
    const chunks = input.text.length <= maxChars ? [input.text] : splitAtBoundaries(input.text, maxChars);
    if (chunks.length === 1) {
      const raw = await chat(buildMessages(input.spec, { ...base, text: input.text }), textTokens, (r) => input.onText?.(cleanMarkdown(r, false)));
      const text = cleanMarkdown(raw, true);
      input.onText?.(text);
      return { text, chunks: 1 };
    }
    const answer = await mapReduce(chunks, {
      maxChars,
      map: async (chunk, index, count) =>
        cleanMarkdown(await chat(buildMessages(input.spec, { ...base, text: chunk, part: { index, count } }), Math.ceil(chunk.length / charsPerToken)), true),
      reduce: async (parts, final) => {
        const messages = buildReduceMessages(input.spec, parts, base);
        const raw = await chat(messages, 0, final ? (r) => input.onText?.(cleanMarkdown(r, false)) : undefined);
        return cleanMarkdown(raw, true);
      },
      onProgress: ({ phase, done, total }) =>
        input.onProgress?.(phase === 'map' ? `Reading part ${Math.min(done + 1, total)} of ${total}…` : `Combining ${total > 1 ? `${total} groups` : 'the parts'}…`),
    });
    input.onText?.(answer);
    return { text: answer, chunks: chunks.length };
  }

  // Replace / insert: piece by piece, each cleaned against its own original so indentation and the whitespace
  // between pieces survive, shown as one growing text.
  const chunks = input.text.length <= maxChars ? [input.text] : splitAtBoundaries(input.text, maxChars);
  const done: string[] = [];
  const eol = input.eol ?? eolOf(input.text);
  // Inserted pieces are separate lines; replaced pieces carry their own separators.
  const joiner = mode === 'insertBelow' ? eol : '';
  for (let index = 0; index < chunks.length; index++) {
    const chunk = chunks[index];
    if (chunks.length > 1) input.onProgress?.(`Part ${index + 1} of ${chunks.length}…`);
    const ctx =
      mode === 'insertBelow'
        ? { original: `${input.baseIndent ?? ''}x`, eol, tabSize: input.tabSize }
        : { original: chunk, startsMidLine: index === 0 ? input.startsMidLine : !/(?:^|\n)$/.test(chunks[index - 1]), eol, tabSize: input.tabSize };
    const part = chunks.length > 1 ? { index, count: chunks.length } : undefined;
    const raw = await chat(buildMessages(input.spec, { ...base, text: chunk, part }), Math.ceil(chunk.length / charsPerToken), (r) =>
      input.onText?.([...done, cleanReplacement(r, ctx, false)].join(joiner)),
    );
    done.push(cleanReplacement(raw, ctx, true));
    input.onText?.(done.join(joiner));
  }
  return { text: done.join(joiner), chunks: chunks.length };
}
