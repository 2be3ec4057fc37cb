/**
 * Fill-in-the-middle prompts as plain text, for servers without llama-server's /infill (Ollama, LM Studio, vLLM):
 * the prompt goes to /v1/completions with the model family's FIM markers written out, and the server's tokenizer
 * turns them into the special tokens. The family comes from hearth.remote.fimTemplate, or from the model's name.
 */

export type FimTemplateName = 'qwen' | 'starcoder' | 'codellama' | 'deepseek' | 'codestral';
export type FimSetting = 'auto' | 'none' | FimTemplateName;

export interface FimTemplate {
  name: FimTemplateName;
  /** Suffix-first layouts keep the text being typed at the end of the prompt; each family has one it was trained on. */
  format(prefix: string, suffix: string): string;
  /** Markers that end the middle part when a server does not stop at them itself. */
  stop: string[];
}

export const FIM_TEMPLATES: Record<FimTemplateName, FimTemplate> = {
  qwen: { name: 'qwen', format: (p, s) => `<|fim_prefix|>${p}<|fim_suffix|>${s}<|fim_middle|>`, stop: ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|fim_prefix|>'] },
  starcoder: { name: 'starcoder', format: (p, s) => `<fim_prefix>${p}<fim_suffix>${s}<fim_middle>`, stop: ['<|endoftext|>', '<file_sep>', '<fim_prefix>'] },
  codellama: { name: 'codellama', format: (p, s) => `<PRE> ${p} <SUF>${s} <MID>`, stop: ['<EOT>', '<PRE>'] },
  deepseek: { name: 'deepseek', format: (p, s) => `<｜fim▁begin｜>${p}<｜fim▁hole｜>${s}<｜fim▁end｜>`, stop: ['<｜end▁of▁sentence｜>', '<｜fim▁begin｜>'] },
  codestral: { name: 'codestral', format: (p, s) => `[SUFFIX]${s}[PREFIX]${p}`, stop: ['</s>', '[PREFIX]'] },
};

/** Model-name patterns, most specific first (Ollama names such as "qwen2.5-coder:1.5b-base", hub ids, file names). */
const BY_NAME: Array<[RegExp, FimTemplateName]> = [
  [/qwen[\w.-]*coder|codeqwen/i, 'qwen'],
  [/starcoder|santacoder|granite[\w.-]*code|stable-?code/i, 'starcoder'],
  [/code-?llama/i, 'codellama'],
  [/deepseek[\w.-]*coder/i, 'deepseek'],
  [/codestral/i, 'codestral'],
];

/** The template for a model, or undefined when its family is unknown (then plain completion is used). */
export function fimTemplateFor(model: string, setting: FimSetting): FimTemplate | undefined {
  if (setting === 'none') return undefined;
  if (setting !== 'auto') return FIM_TEMPLATES[setting];
  const match = BY_NAME.find(([pattern]) => pattern.test(model));
  return match ? FIM_TEMPLATES[match[1]] : undefined;
}
