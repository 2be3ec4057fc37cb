/**
 * Presents a VS Code document (or a notebook cell with its neighbours) as a DocumentSnapshot. Lines are read on
 * demand so a huge file costs only the prompt window; nothing here calls getText() on the whole document.
 */
import * as vscode from 'vscode';
import { basename } from '../common/text';
import { snapshotFromText, type DocumentSnapshot } from './snapshot';
import type { IndentStyle } from './text';

/** Notebook cells before and after the current one that are joined into its context. */
const NEIGHBOUR_CELLS = 12;
const MAX_CELL_CHARS = 20_000;

export function relativePathOf(uri: vscode.Uri): string {
  if (uri.scheme === 'untitled') return uri.path;
  const rel = vscode.workspace.asRelativePath(uri, false);
  return rel || basename(uri.path) || uri.toString();
}

function indentOf(document: vscode.TextDocument): IndentStyle {
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
  const tabSize = typeof editor?.options.tabSize === 'number' ? editor.options.tabSize : 4;
  const spaces = editor?.options.insertSpaces;
  return { useTabs: spaces === false, size: tabSize };
}

export function snapshotOf(document: vscode.TextDocument, position: vscode.Position): DocumentSnapshot {
  if (document.uri.scheme === 'vscode-notebook-cell') {
    const cellSnapshot = notebookSnapshot(document, position);
    if (cellSnapshot) return cellSnapshot;
  }
  return {
    key: document.uri.toString(),
    relativePath: relativePathOf(document.uri),
    languageId: document.languageId,
    lineCount: document.lineCount,
    lineAt: (i) => document.lineAt(i).text,
    line: position.line,
    character: position.character,
    offset: document.offsetAt(position),
    eol: document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
    indent: indentOf(document),
  };
}

/** A code cell sees the code cells around it, as if the notebook were one file. */
function notebookSnapshot(document: vscode.TextDocument, position: vscode.Position): DocumentSnapshot | undefined {
  const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document));
  if (!notebook) return undefined;
  const cells = notebook.getCells();
  const index = cells.findIndex((c) => c.document === document);
  const code = (c: vscode.NotebookCell) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === document.languageId;
  const before = cells.slice(Math.max(0, index - NEIGHBOUR_CELLS), index).filter(code).map((c) => c.document.getText().slice(-MAX_CELL_CHARS));
  const after = cells.slice(index + 1, index + 1 + NEIGHBOUR_CELLS).filter(code).map((c) => c.document.getText().slice(0, MAX_CELL_CHARS));
  const head = before.map((t) => `${t}\n\n`).join('');
  const own = document.getText();
  const tail = after.map((t) => `\n\n${t}`).join('');
  const offsetInCell = document.offsetAt(position);
  const snap = snapshotFromText(head + own + tail, head.length + offsetInCell, {
    key: document.uri.toString(),
    relativePath: relativePathOf(notebook.uri),
    languageId: document.languageId,
    indent: indentOf(document),
  });
  // Cached suggestions compare offsets within this cell's view; the joined text keeps them consistent.
  return snap;
}
