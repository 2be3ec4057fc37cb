import * as assert from 'node:assert/strict';
import { CHAT_SETTINGS, readChatSettings, readRegisterLanguageModel, type SettingReader } from '../../src/chat/settings';
import { contributedSettings, type SettingSchema } from '../support/packageDefaults';

/** Every `hearth.chat.*` setting package.json contributes, by its key under `hearth.chat`. */
function contributedChatSettings(): Map<string, SettingSchema> {
  const prefix = 'hearth.chat.';
  return new Map(Object.entries(contributedSettings()).filter(([key]) => key.startsWith(prefix)).map(([key, schema]) => [key.slice(prefix.length), schema]));
}

const reader = (values: Record<string, unknown>): SettingReader => (key, fallback) => (key in values ? values[key] : fallback) as typeof fallback;

describe('chat settings', () => {
  it('states each hearth.chat.* default and bound as package.json does, and no setting it does not contribute', () => {
    const contributed = contributedChatSettings();
    assert.deepEqual([...contributed.keys()].sort(), Object.keys(CHAT_SETTINGS).sort());
    for (const [key, code] of Object.entries(CHAT_SETTINGS)) {
      const schema = contributed.get(key)!;
      assert.deepEqual(schema.default, code.default, `hearth.chat.${key}: package.json default ${JSON.stringify(schema.default)}, code ${JSON.stringify(code.default)}`);
      assert.equal(schema.minimum, 'minimum' in code ? code.minimum : undefined, `hearth.chat.${key}: minimum`);
      assert.equal(schema.maximum, 'maximum' in code ? code.maximum : undefined, `hearth.chat.${key}: maximum`);
    }
  });

  it('reads the defaults when nothing is configured', () => {
    const none = reader({});
    assert.deepEqual(readChatSettings(none), {
      maxTokens: CHAT_SETTINGS.maxTokens.default,
      temperature: CHAT_SETTINGS.temperature.default,
      systemPrompt: CHAT_SETTINGS.systemPrompt.default,
    });
    assert.equal(readRegisterLanguageModel(none), false);
  });

  it('clamps hand-edited values to the bounds', () => {
    assert.deepEqual(readChatSettings(reader({ maxTokens: 1, temperature: 9, systemPrompt: '' })), { maxTokens: 16, temperature: 2, systemPrompt: '' });
    assert.deepEqual(readChatSettings(reader({ maxTokens: 100_000, temperature: -1 })).maxTokens, 8192);
    assert.equal(readChatSettings(reader({ temperature: -1 })).temperature, 0);
    const garbage = readChatSettings(reader({ maxTokens: Number.NaN, temperature: 'hot', systemPrompt: 42 }));
    assert.deepEqual(garbage, { maxTokens: CHAT_SETTINGS.maxTokens.default, temperature: CHAT_SETTINGS.temperature.default, systemPrompt: CHAT_SETTINGS.systemPrompt.default });
  });
});
