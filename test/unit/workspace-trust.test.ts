/**
 * A repository's `.vscode/settings.json` must not steer what the model writes or how much it uses: those settings
 * are machine-scoped (VS Code ignores workspace values) and listed as restricted in untrusted workspaces.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contributedSettings } from '../support/packageDefaults';
import { repoRoot } from '../support/paths';

/** What a workspace could abuse: the model, its resources, the prompts, the outputs, the budgets and the log. */
const USER_ONLY = [
  'hearth.modelPath', 'hearth.models.completion', 'hearth.models.assistant', 'hearth.models.folders', 'hearth.models.downloadBaseUrl',
  'hearth.network.allowDownloads', 'hearth.threads', 'hearth.contextSize', 'hearth.gpu', 'hearth.idleUnloadMinutes', 'hearth.logLevel',
  'hearth.actions.custom', 'hearth.chat.systemPrompt', 'hearth.chat.maxTokens', 'hearth.chat.temperature', 'hearth.chat.registerLanguageModel',
  'hearth.completion.prefixTokens', 'hearth.completion.suffixTokens', 'hearth.completion.extraContextTokens', 'hearth.completion.extraContext',
  'hearth.completion.maxLines', 'hearth.completion.maxTokens', 'hearth.completion.singleLineMaxTokens', 'hearth.completion.timeBudgetMs',
  'hearth.completion.singleLineTimeBudgetMs', 'hearth.completion.debounceMinMs', 'hearth.completion.debounceMaxMs',
  'hearth.completion.precomputeAfterAccept', 'hearth.completion.fillInTheMiddle',
  // Where code is sent: a repository must not point Hearth at its own server.
  'hearth.engine', 'hearth.remote.jobs', 'hearth.remote.url', 'hearth.remote.model', 'hearth.remote.completion.url', 'hearth.remote.completion.model',
  'hearth.remote.assistant.url', 'hearth.remote.assistant.model', 'hearth.remote.fimTemplate', 'hearth.remote.connectTimeoutSeconds', 'hearth.remote.readTimeoutSeconds',
];

interface TrustCapability {
  supported: boolean | 'limited';
  description?: string;
  restrictedConfigurations?: string[];
}

describe('workspace trust and setting scope', () => {
  const contributed = contributedSettings();
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { capabilities?: { untrustedWorkspaces?: TrustCapability } };

  it('every setting that steers generated text or resource use is read from user settings only', () => {
    for (const key of USER_ONLY) {
      assert.ok(key in contributed, `${key} is contributed`);
      assert.ok(['machine', 'application'].includes(contributed[key].scope ?? ''), `${key} has scope ${contributed[key].scope ?? 'window (default)'}`);
    }
  });

  it('declares limited support for untrusted workspaces, naming what works and restricting those settings', () => {
    const trust = pkg.capabilities?.untrustedWorkspaces;
    assert.equal(trust?.supported, 'limited');
    assert.match(trust?.description ?? '', /Restricted Mode/);
    const restricted = new Set(trust?.restrictedConfigurations ?? []);
    for (const key of [...USER_ONLY, 'hearth.completion.enabled', 'hearth.completion.languages']) assert.ok(restricted.has(key), `${key} is restricted`);
    for (const key of restricted) assert.ok(key in contributed, `restricted ${key} is a contributed setting`);
  });
});
