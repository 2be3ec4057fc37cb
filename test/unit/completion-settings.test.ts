import * as assert from 'node:assert/strict';
import { completesIn } from '../../src/completion/gate';
import { COMPLETION_BOUNDS, COMPLETION_SECTION, defaultCompletionSettings, readCompletionSettings, type CompletionSettings } from '../../src/completion/settings';
import { contributedSettings, packageDefaults } from '../support/packageDefaults';

/** `hearth.completion.*` keys (without the section) and their defaults as package.json declares them. */
function declaredDefaults(): Map<string, unknown> {
  return new Map(Object.entries(packageDefaults(COMPLETION_SECTION)));
}

describe('completion settings', () => {
  it('package.json declares every setting the code has, with the same default', () => {
    const declared = declaredDefaults();
    for (const [key, value] of Object.entries(defaultCompletionSettings)) {
      assert.ok(declared.has(key), `${COMPLETION_SECTION}.${key} is missing from package.json`);
      assert.deepEqual(declared.get(key), value, `${COMPLETION_SECTION}.${key}: package.json and defaultCompletionSettings disagree`);
    }
  });

  it('the code has every setting package.json declares', () => {
    for (const key of declaredDefaults().keys()) {
      assert.ok(Object.hasOwn(defaultCompletionSettings, key), `${COMPLETION_SECTION}.${key} is declared in package.json but not read by the code`);
    }
  });

  it('package.json states the bounds the code clamps to, and no others', () => {
    const contributed = contributedSettings();
    for (const key of Object.keys(defaultCompletionSettings)) {
      const schema = contributed[`${COMPLETION_SECTION}.${key}`];
      const bounds = (COMPLETION_BOUNDS as Record<string, { minimum: number; maximum: number } | undefined>)[key];
      assert.equal(schema.minimum, bounds?.minimum, `${COMPLETION_SECTION}.${key}: minimum`);
      assert.equal(schema.maximum, bounds?.maximum, `${COMPLETION_SECTION}.${key}: maximum`);
    }
  });

  it('reads every key through the configuration, with its default as the fallback', () => {
    const asked: string[] = [];
    const read = readCompletionSettings((key, fallback) => {
      asked.push(key);
      return fallback;
    });
    assert.deepEqual(asked.sort(), Object.keys(defaultCompletionSettings).sort());
    assert.deepEqual(read, defaultCompletionSettings);
  });

  it('takes configured values and clamps the ones out of range', () => {
    const configured: Partial<Record<keyof CompletionSettings, unknown>> = { maxLines: 3, extraContext: false, prefixTokens: 1, debounceMaxMs: Number.NaN, timeBudgetMs: 1e9, maxTokens: '9' };
    const read = readCompletionSettings((key, fallback) => (key in configured ? configured[key as keyof CompletionSettings] : fallback));
    assert.equal(read.maxLines, 3);
    assert.equal(read.extraContext, false);
    assert.equal(read.prefixTokens, 16);
    assert.equal(read.debounceMaxMs, defaultCompletionSettings.debounceMaxMs);
    assert.equal(read.timeBudgetMs, 60_000);
    assert.equal(read.maxTokens, defaultCompletionSettings.maxTokens);
  });
});

describe('completion gate', () => {
  const doc = (languageId: string, scheme = 'file') => ({ languageId, uri: { scheme } });
  const on = defaultCompletionSettings;

  it('runs in the user\'s documents when on and not snoozed', () => {
    assert.equal(completesIn(on, false, doc('typescript')), true);
    assert.equal(completesIn(on, false, doc('python', 'untitled')), true);
    assert.equal(completesIn(on, false, doc('python', 'vscode-notebook-cell')), true);
  });

  it('stays out when off, snoozed, off for the language, without a document, or outside the user\'s text', () => {
    assert.equal(completesIn({ ...on, enabled: false }, false, doc('typescript')), false);
    assert.equal(completesIn(on, true, doc('typescript')), false);
    assert.equal(completesIn({ ...on, languages: { '*': true, markdown: false } }, false, doc('markdown')), false);
    assert.equal(completesIn({ ...on, languages: { '*': false, go: true } }, false, doc('go')), true);
    assert.equal(completesIn(on, false, undefined), false);
    for (const scheme of ['output', 'debug', 'vscode-scm', 'comment', 'git', 'vscode-terminal', 'search-editor']) {
      assert.equal(completesIn(on, false, doc('plaintext', scheme)), false, scheme);
    }
  });
});
