/** The `hearth.actions.*` defaults are stated in code and repeated in package.json for the Settings UI: they must agree. */
import * as assert from 'node:assert/strict';
import { parseCustomActions } from '../../src/actions/customActions';
import { ACTIONS_DEFAULTS, ACTIONS_SECTION, DEFAULT_CUSTOM_OUTPUT } from '../../src/actions/settings';
import { contributedSettings } from '../support/packageDefaults';

describe('actions: settings', () => {
  const contributed = contributedSettings();
  const prefix = `${ACTIONS_SECTION}.`;
  const inPackage = Object.keys(contributed).filter((key) => key.startsWith(prefix));

  it('package.json and the code name the same hearth.actions.* settings', () => {
    assert.ok(inPackage.length > 0, 'package.json contributes hearth.actions.* settings');
    assert.deepEqual(inPackage.map((key) => key.slice(prefix.length)).sort(), Object.keys(ACTIONS_DEFAULTS).sort());
  });

  for (const [key, value] of Object.entries(ACTIONS_DEFAULTS)) {
    it(`the default of ${prefix}${key} in package.json is the code's`, () => {
      assert.ok(`${prefix}${key}` in contributed, `${prefix}${key} is contributed`);
      assert.deepEqual(contributed[`${prefix}${key}`].default, value);
    });
  }

  it("a custom action's output defaults to the same value in package.json and in the parser", () => {
    const output = contributed[`${prefix}custom`]?.items?.properties?.output;
    assert.ok(output, 'hearth.actions.custom items declare an output');
    assert.equal(output.default, DEFAULT_CUSTOM_OUTPUT);
    assert.equal(parseCustomActions([{ name: 'A', prompt: 'p' }]).actions[0].output, DEFAULT_CUSTOM_OUTPUT);
  });
});
