/** `hearth.models.*` and `hearth.network.*` defaults are stated once in code; package.json must agree. */
import * as assert from 'node:assert/strict';
import { MODELS_DEFAULTS, MODELS_SETTING_KEYS, readModelsSettings } from '../../src/models/settings';
import { contributedSettings } from '../support/packageDefaults';

describe('models: settings', () => {
  const contributed = contributedSettings();

  it('package.json declares each models/network setting with the default the code uses', () => {
    for (const [field, key] of Object.entries(MODELS_SETTING_KEYS)) {
      assert.ok(contributed[key], `${key} is not contributed`);
      assert.deepEqual(contributed[key].default, MODELS_DEFAULTS[field as keyof typeof MODELS_DEFAULTS], key);
    }
    const ours = new Set([...Object.values(MODELS_SETTING_KEYS), 'hearth.models.completion', 'hearth.models.assistant']);
    const declared = Object.keys(contributed).filter((k) => k.startsWith('hearth.models.') || k.startsWith('hearth.network.'));
    assert.deepEqual(declared.filter((k) => !ours.has(k)), [], 'settings the code does not read');
  });

  it('reads values and falls back to the defaults for bad ones', () => {
    const values: Record<string, unknown> = { 'hearth.models.folders': ['/a', 3, ''], 'hearth.models.downloadBaseUrl': 'ftp://x', 'hearth.network.allowDownloads': false };
    const read = readModelsSettings((key, fallback) => (key in values ? values[key] : fallback) as typeof fallback);
    assert.deepEqual(read, { folders: ['/a'], downloadBaseUrl: MODELS_DEFAULTS.downloadBaseUrl, allowDownloads: false });
    assert.deepEqual(readModelsSettings((_k, fallback) => fallback), MODELS_DEFAULTS);
  });
});
