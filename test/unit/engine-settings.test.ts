/** The engine's setting defaults and bounds are stated once, in code; package.json must agree with them. */
import * as assert from 'node:assert/strict';
import { clampContextSize, clampIdleUnloadMinutes, defaultEngineConfig, ENGINE_BOUNDS, validLogLevel } from '../../src/engine/config';
import { contributedSettings, packageDefaults } from '../support/packageDefaults';

describe('engine settings', () => {
  it('package.json declares exactly the engine settings, with the defaults the code uses', () => {
    const declared = packageDefaults('hearth');
    // In package.json "no model" is the empty path; in code it is undefined.
    const code: Record<string, unknown> = { ...defaultEngineConfig, modelPath: defaultEngineConfig.modelPath ?? '' };
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(code).sort());
    for (const [key, value] of Object.entries(code)) assert.deepEqual(declared[key], value, `hearth.${key}`);
  });

  it('package.json states the bounds the code clamps to', () => {
    const contributed = contributedSettings();
    for (const [key, { minimum, maximum }] of Object.entries(ENGINE_BOUNDS)) {
      assert.equal(contributed[`hearth.${key}`].minimum, minimum, `hearth.${key}: minimum`);
      assert.equal(contributed[`hearth.${key}`].maximum, maximum, `hearth.${key}: maximum`);
    }
  });

  it('holds idle unload to 0 (never) or between a minute and a day, short of the timer overflow', () => {
    assert.equal(clampIdleUnloadMinutes(0), 0);
    assert.equal(clampIdleUnloadMinutes(-5), 0);
    assert.equal(clampIdleUnloadMinutes(0.0001), 1);
    assert.equal(clampIdleUnloadMinutes(30), 30);
    assert.equal(clampIdleUnloadMinutes(35_792), 1440);
    assert.equal(clampIdleUnloadMinutes(Number.POSITIVE_INFINITY), 1440);
    assert.ok(clampIdleUnloadMinutes(1e12) * 60_000 < 2 ** 31 - 1, 'the longest idle unload fits in a setTimeout');
    assert.equal(clampIdleUnloadMinutes(Number.NaN), defaultEngineConfig.idleUnloadMinutes);
    assert.equal(clampIdleUnloadMinutes('5'), defaultEngineConfig.idleUnloadMinutes);
  });

  it('clamps the context size and keeps the log level to a known one', () => {
    assert.equal(clampContextSize(10), 256);
    assert.equal(clampContextSize(10_000_000), 131072);
    assert.equal(clampContextSize('big'), defaultEngineConfig.contextSize);
    assert.equal(validLogLevel('debug'), 'debug');
    assert.equal(validLogLevel('off'), defaultEngineConfig.logLevel);
  });
});
