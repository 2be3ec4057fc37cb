/** What an action works on: the selection, or for show-mode actions the whole file when nothing is selected. */
import * as vscode from 'vscode';
import type { Notify } from '../common/editing';
import { isUserDocumentScheme } from '../common/documents';
import { basename, type Eol } from '../common/text';
import { outputMode, type ActionSpec } from './prompts';
import { startsInIndentation } from './selection';

export interface Target {
  editor: vscode.TextEditor;
  document: vscode.TextDocument;
  range: vscode.Range;
  text: string;
  wholeFile: boolean;
  startsMidLine: boolean;
}

/** Undefined, after saying why, when there is nothing to act on. */
export function resolveTarget(notify: Notify, spec: ActionSpec, verb: string): Target | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void notify.info(`Open a file and select some text to ${verb}.`);
    return undefined;
  }
  const { document, selection } = editor;
  if (selection.isEmpty) {
    if (outputMode(spec) !== 'show') {
      void notify.info(`Select the text to ${verb} first.`);
      return undefined;
    }
    const all = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
    if (document.getText().trim().length === 0) {
      void notify.info(`This file is empty: there is nothing to ${verb}.`);
      return undefined;
    }
    return { editor, document, range: all, text: document.getText(), wholeFile: true, startsMidLine: false };
  }
  let range: vscode.Range = selection;
  if (startsInIndentation(document.lineAt(range.start.line).text, range.start.character)) {
    range = new vscode.Range(range.start.with({ character: 0 }), range.end);
  }
  const text = document.getText(range);
  if (text.trim().length === 0) {
    void notify.info(`The selection is only whitespace: select some text to ${verb}.`);
    return undefined;
  }
  return { editor, document, range, text, wholeFile: false, startsMidLine: range.start.character > 0 };
}

/** Whether an edit of the document would be refused: actions that change text check before asking the model. */
export async function isReadOnly(document: vscode.TextDocument): Promise<boolean> {
  const scheme = document.uri.scheme;
  // Untitled documents have no file system behind them, yet are the user's to edit.
  if (scheme === 'untitled') return false;
  // Output panes, the SCM input, terminals and the like are never edited, whatever their provider says.
  if (!isUserDocumentScheme(scheme)) return true;
  const writable = vscode.workspace.fs.isWritableFileSystem(scheme);
  if (writable === false) return true;
  if (writable === undefined) return true; // content-provider documents (git:, output, …) cannot be edited
  try {
    const stat = await vscode.workspace.fs.stat(document.uri);
    return ((stat.permissions ?? 0) & vscode.FilePermission.Readonly) !== 0;
  } catch {
    return false;
  }
}

export function fileNameOf(document: vscode.TextDocument): string {
  return basename(document.uri.path) || document.uri.toString();
}

export function tabSizeOf(editor: vscode.TextEditor): number {
  return typeof editor.options.tabSize === 'number' ? editor.options.tabSize : 4;
}

export function eolOfDocument(document: vscode.TextDocument): Eol {
  return document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
}
