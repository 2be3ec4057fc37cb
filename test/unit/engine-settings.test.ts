/** The engine's setting defaults are stated once, in code; package.json must agree with them. */
import * as assert from 'node:assert/strict';
import { defaultEngineConfig } from '../../src/engine/config';
import { packageDefaults } from '../support/packageDefaults';

describe('engine settings', () => {
  it('package.json declares exactly the engine settings, with the defaults the code uses', () => {
    const declared = packageDefaults('hearth');
    // In package.json "no model" is the empty path; in code it is undefined.
    const code: Record<string, unknown> = { ...defaultEngineConfig, modelPath: defaultEngineConfig.modelPath ?? '' };
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(code).sort());
    for (const [key, value] of Object.entries(code)) assert.deepEqual(declared[key], value, `hearth.${key}`);
  });
});
