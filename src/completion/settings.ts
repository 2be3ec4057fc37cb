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

/** The bounds of each numeric setting; package.json repeats them as `minimum`/`maximum` (a unit test compares). */
export const COMPLETION_BOUNDS = {
  prefixTokens: { minimum: 16, maximum: 16384 },
  suffixTokens: { minimum: 0, maximum: 8192 },
  extraContextTokens: { minimum: 0, maximum: 8192 },
  maxLines: { minimum: 1, maximum: 200 },
  maxTokens: { minimum: 1, maximum: 2048 },
  singleLineMaxTokens: { minimum: 1, maximum: 2048 },
  timeBudgetMs: { minimum: 10, maximum: 60_000 },
  singleLineTimeBudgetMs: { minimum: 10, maximum: 60_000 },
  debounceMinMs: { minimum: 0, maximum: 5000 },
  debounceMaxMs: { minimum: 0, maximum: 5000 },
} as const satisfies Partial<Record<keyof CompletionSettings, { minimum: number; maximum: number }>>;

/** Clamp numbers a user typed into something the pipeline can live with. */
export function sanitize(s: CompletionSettings): CompletionSettings {
  const d = defaultCompletionSettings;
  const out: CompletionSettings = { ...s, languages: typeof s.languages === 'object' && s.languages !== null ? s.languages : d.languages };
  for (const [key, { minimum, maximum }] of Object.entries(COMPLETION_BOUNDS) as Array<[keyof typeof COMPLETION_BOUNDS, { minimum: number; maximum: number }]>) {
    const v = s[key];
    out[key] = typeof v === 'number' && Number.isFinite(v) ? Math.round(Math.min(maximum, Math.max(minimum, v))) : d[key];
  }
  return out;
}
