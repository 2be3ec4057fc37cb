/**
 * Completion settings as the pipeline uses them; the glue reads them from `hearth.completion.*`, the bench from
 * flags. The keys and defaults are stated once, in `defaultCompletionSettings`: reading iterates them, and a unit
 * test holds package.json's `contributes.configuration` to the same keys and defaults.
 */

/** The configuration section every key below lives in. */
export const COMPLETION_SECTION = 'hearth.completion';

export interface CompletionSettings {
  enabled: boolean;
  /** Language id → enabled; "*" is the default for the rest. */
  languages: Record<string, boolean>;
  prefixTokens: number;
  suffixTokens: number;
  extraContextTokens: number;
  /** Gather chunks of other files and copied text, and keep them warm while idle. */
  extraContext: boolean;
  maxLines: number;
  maxTokens: number;
  singleLineMaxTokens: number;
  timeBudgetMs: number;
  singleLineTimeBudgetMs: number;
  debounceMinMs: number;
  debounceMaxMs: number;
  precomputeAfterAccept: boolean;
  /** Use the model's fill-in-the-middle tokens when it has them. */
  fillInTheMiddle: boolean;
}

export const defaultCompletionSettings: CompletionSettings = {
  enabled: true,
  languages: { '*': true },
  prefixTokens: 640,
  suffixTokens: 160,
  extraContextTokens: 256,
  extraContext: true,
  maxLines: 8,
  maxTokens: 64,
  singleLineMaxTokens: 16,
  timeBudgetMs: 700,
  singleLineTimeBudgetMs: 150,
  debounceMinMs: 10,
  debounceMaxMs: 200,
  precomputeAfterAccept: true,
  fillInTheMiddle: true,
};

/** Reads each setting through `get` (VS Code's configuration.get), falling back to its default, then clamps. */
export function readCompletionSettings(get: (key: string, fallback: unknown) => unknown): CompletionSettings {
  const read: Record<string, unknown> = {};
  for (const [key, fallback] of Object.entries(defaultCompletionSettings)) read[key] = get(key, fallback);
  return sanitize(read as unknown as CompletionSettings);
}

export function languageEnabled(settings: Pick<CompletionSettings, 'languages'>, languageId: string): boolean {
  const own = settings.languages[languageId];
  if (typeof own === 'boolean') return own;
  const star = settings.languages['*'];
  return typeof star === 'boolean' ? star : true;
}

/** Clamp numbers a user typed into something the pipeline can live with. */
export function sanitize(s: CompletionSettings): CompletionSettings {
  const int = (v: number, lo: number, hi: number, fallback: number) => (Number.isFinite(v) ? Math.round(Math.min(hi, Math.max(lo, v))) : fallback);
  const d = defaultCompletionSettings;
  return {
    ...s,
    languages: typeof s.languages === 'object' && s.languages !== null ? s.languages : d.languages,
    prefixTokens: int(s.prefixTokens, 16, 16384, d.prefixTokens),
    suffixTokens: int(s.suffixTokens, 0, 8192, d.suffixTokens),
    extraContextTokens: int(s.extraContextTokens, 0, 8192, d.extraContextTokens),
    maxLines: int(s.maxLines, 1, 200, d.maxLines),
    maxTokens: int(s.maxTokens, 1, 2048, d.maxTokens),
    singleLineMaxTokens: int(s.singleLineMaxTokens, 1, 2048, d.singleLineMaxTokens),
    timeBudgetMs: int(s.timeBudgetMs, 10, 60_000, d.timeBudgetMs),
    singleLineTimeBudgetMs: int(s.singleLineTimeBudgetMs, 10, 60_000, d.singleLineTimeBudgetMs),
    debounceMinMs: int(s.debounceMinMs, 0, 5000, d.debounceMinMs),
    debounceMaxMs: int(s.debounceMaxMs, 0, 5000, d.debounceMaxMs),
  };
}
