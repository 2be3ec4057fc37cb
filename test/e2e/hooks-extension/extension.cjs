'use strict';
// The UI tests drive the workbench from outside and cannot call Hearth's API: this extension, linked in beside
// Hearth by the e2e harness, turns one palette command into the chat's seeding hook. The exchanges come from
// .hearth-seed.json in the workspace (written by the test): a conversation of given answers is saved and opened
// exactly as a saved chat is reopened, through the host's Markdown renderer and sanitizer into the real webview.
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
  );
};
