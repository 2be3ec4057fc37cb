import * as assert from 'node:assert/strict';
import { isUserDocumentScheme } from '../../src/common/documents';

// The chat attaches context from, inserts into and applies to "the user's document" by this one rule.
describe('chat: which editors are the user’s documents', () => {
  it('files, untitled, remote, user data and notebook cells are', () => {
    for (const scheme of ['file', 'untitled', 'vscode-remote', 'vscode-userdata', 'vscode-notebook-cell']) assert.ok(isUserDocumentScheme(scheme), scheme);
  });

  it('output, debug console, terminals, SCM input and Hearth’s own proposal diffs and results are not', () => {
    for (const scheme of ['output', 'debug', 'vscode-terminal', 'vscode-scm', 'git', 'hearth-proposal', 'hearth-result']) {
      assert.equal(isUserDocumentScheme(scheme), false, scheme);
    }
  });
});
