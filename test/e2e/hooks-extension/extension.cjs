'use strict';
// The UI tests drive the workbench from outside and cannot call Hearth's API: this extension, linked in beside
// Hearth by the e2e harness, turns palette commands into Hearth's test hooks.
// - Seed Chat: the exchanges come from .hearth-seed.json in the workspace (written by the test): a conversation of
//   given answers is saved and opened exactly as a saved chat is reopened, through the host's Markdown renderer and
//   sanitizer into the real webview.
// - Use Test Catalog: the catalog entries in .hearth-catalog.json (a local server's fixture model) replace Hearth's
//   catalog (models.testing.setCatalog); .hearth-catalog.applied is written once they are in use, for the test to
//   wait on.
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('hearthTestHooks.seedChat', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (!folder) throw new Error('no workspace folder');
      const { exchanges } = JSON.parse(fs.readFileSync(path.join(folder, '.hearth-seed.json'), 'utf8'));
      const hearth = await vscode.extensions.getExtension('hearth-dev.hearth').activate();
      await hearth.chat.seedConversationForTesting(exchanges);
    }),
    vscode.commands.registerCommand('hearthTestHooks.useTestCatalog', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (!folder) throw new Error('no workspace folder');
      const entries = JSON.parse(fs.readFileSync(path.join(folder, '.hearth-catalog.json'), 'utf8'));
      const hearth = await vscode.extensions.getExtension('hearth-dev.hearth').activate();
      hearth.models.testing.setCatalog(entries);
      fs.writeFileSync(path.join(folder, '.hearth-catalog.applied'), entries.map((e) => e.id).join('\n'));
    }),
  );
};
