/**
 * The chat's side effects in the editor: reading the selection / file / open editors as context, copying,
 * inserting at the cursor and proposing a replacement of the selection through the same diff + Accept/Reject
 * flow as the Rewrite action. "The editor" is the last text editor the user worked in, because focus is in the
 * chat (a webview) when these run, and an editor-tab chat makes `activeTextEditor` undefined.
 */
import * as vscode from 'vscode';
import type { Editing } from '../common/editing';
import { type Attachment, limitText } from './attachments';
import type { ChatHost } from './controller';
import { newId } from './history';
import type { AttachmentKind } from './messages';
import { isUserDocumentScheme } from '../common/documents';

/** Per attachment: enough for a few hundred lines, small enough to leave a small model room to answer. */
const MAX_ATTACHMENT_CHARS = 24_000;
const MAX_EDITORS = 8;

export class EditorHost implements ChatHost, vscode.Disposable {
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly editing: Editing,
  ) {
    this.subscription = vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && isUserDocument(editor.document)) this.lastEditor = editor;
    });
  }

  /** The editor the chat acts on: the last one used, if still visible, else any visible text editor. */
  editor(): vscode.TextEditor | undefined {
    const visible = vscode.window.visibleTextEditors.filter((e) => isUserDocument(e.document));
    const active = vscode.window.activeTextEditor;
    if (active && isUserDocument(active.document)) return active;
    if (this.lastEditor && visible.includes(this.lastEditor)) return this.lastEditor;
    if (this.lastEditor) {
      const same = visible.find((e) => e.document === this.lastEditor?.document);
      if (same) return same;
    }
    return visible[0];
  }

  async collect(kind: AttachmentKind): Promise<Attachment[]> {
    const editor = this.editor();
    if (kind === 'selection') {
      if (!editor || editor.selection.isEmpty) return [];
      const { start, end } = editor.selection;
      const text = editor.document.getText(editor.selection);
      return [this.attachment('selection', editor.document, text, [start.line + 1, end.line + 1])];
    }
    if (kind === 'file') return editor ? [this.attachment('file', editor.document, editor.document.getText())] : [];
    const documents = new Map<string, vscode.TextDocument>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputText) {
          const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === (tab.input as vscode.TabInputText).uri.toString());
          if (doc && isUserDocument(doc)) documents.set(doc.uri.toString(), doc);
        }
      }
    }
    for (const e of vscode.window.visibleTextEditors) if (isUserDocument(e.document)) documents.set(e.document.uri.toString(), e.document);
    return [...documents.values()].slice(0, MAX_EDITORS).map((doc) => this.attachment('editor', doc, doc.getText()));
  }

  private attachment(kind: Attachment['kind'], doc: vscode.TextDocument, raw: string, lines?: [number, number]): Attachment {
    const path = vscode.workspace.asRelativePath(doc.uri, false);
    const { text, truncated } = limitText(raw, MAX_ATTACHMENT_CHARS);
    const base = path.split('/').pop() ?? path;
    const a: Attachment = {
      id: newId(),
      kind,
      label: lines ? `${base}:${lines[0]}-${lines[1]}` : base,
      path,
      languageId: doc.languageId,
      text,
    };
    if (lines) a.lines = lines;
    if (truncated) a.truncated = true;
    return a;
  }

  async copyText(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage('$(check) Copied', 2000);
  }

  async insertAtCursor(code: string): Promise<boolean> {
    const editor = this.editor();
    if (!editor) return false;
    const ok = await editor.edit((edit) => {
      for (const selection of editor.selections) edit.replace(selection, code);
    });
    if (ok) await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
    return ok;
  }

  async applyToSelection(code: string, title: string): Promise<void> {
    const editor = this.editor();
    if (!editor || editor.selection.isEmpty) {
      this.showInfo('Select the code to replace in an editor first (or use Insert at Cursor).');
      return;
    }
    const range = editor.selection;
    const outcome = await this.editing.propose({
      uri: editor.document.uri,
      range: new vscode.Range(range.start, range.end),
      original: editor.document.getText(range),
      proposed: code,
      title,
    });
    this.log.info(`chat: apply to selection: ${outcome}`);
  }

  async selectModel(): Promise<void> {
    await vscode.commands.executeCommand('hearth.selectModel');
  }

  async openMailto(href: string): Promise<void> {
    const uri = vscode.Uri.parse(href, true);
    if (uri.scheme !== 'mailto') return;
    const open = 'Open Mail App';
    const choice = await vscode.window.showWarningMessage(
      `Open your mail app to write to ${uri.path || 'this address'}?`,
      { modal: true, detail: 'The link is in an answer the model wrote; check the address and any prefilled text before sending.' },
      open,
    );
    if (choice === open) await vscode.env.openExternal(uri);
  }

  showInfo(message: string): void {
    void vscode.window.showInformationMessage(message);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/** Documents the user edits (the house's one rule): not output channels, terminals, or Hearth's proposal diffs and results. */
function isUserDocument(doc: vscode.TextDocument): boolean {
  return isUserDocumentScheme(doc.uri.scheme);
}
