/**
 * The chat's settings (`hearth.chat.*`): each default and bound stated once, here. package.json's
 * `contributes.configuration` repeats them for the Settings UI, and a unit test fails when the two disagree.
 * Pure: the VS Code glue hands in a reader over `workspace.getConfiguration('hearth.chat')`.
 */

const DEFAULT_SYSTEM_PROMPT =
  'You are Hearth, a coding assistant running locally in the editor. Answer concisely. Use Markdown, and put code in fenced code blocks with a language.';

/** Every `hearth.chat.*` setting, by its key under `hearth.chat`. */
export const CHAT_SETTINGS = {
  maxTokens: { default: 512, minimum: 16, maximum: 8192 },
  temperature: { default: 0.7, minimum: 0, maximum: 2 },
  systemPrompt: { default: DEFAULT_SYSTEM_PROMPT },
  registerLanguageModel: { default: false },
} as const;

export interface ChatSettings {
  maxTokens: number;
  temperature: number;
  systemPrompt: string;
}

/** `WorkspaceConfiguration.get` with a default, over the `hearth.chat` section. */
export type SettingReader = <T>(key: keyof typeof CHAT_SETTINGS, fallback: T) => T;

/** The answer settings, clamped to their bounds (a hand-edited settings.json is not checked by VS Code). */
export function readChatSettings(get: SettingReader): ChatSettings {
  const { maxTokens, temperature, systemPrompt } = CHAT_SETTINGS;
  const prompt = get<unknown>('systemPrompt', systemPrompt.default);
  return {
    maxTokens: Math.round(clamp(get<unknown>('maxTokens', maxTokens.default), maxTokens)),
    temperature: clamp(get<unknown>('temperature', temperature.default), temperature),
    systemPrompt: typeof prompt === 'string' ? prompt : systemPrompt.default,
  };
}

/** A number held to the setting's bounds; its default when it is not a number at all. */
function clamp(value: unknown, bounds: { default: number; minimum: number; maximum: number }): number {
  if (typeof value !== 'number' || Number.isNaN(value)) return bounds.default;
  return Math.max(bounds.minimum, Math.min(bounds.maximum, value));
}

export function readRegisterLanguageModel(get: SettingReader): boolean {
  return get<boolean>('registerLanguageModel', CHAT_SETTINGS.registerLanguageModel.default);
}
