/**
 * Where Summarize, Explain and "show" custom actions put their answer: a read-only Markdown document beside the
 * editor, filled as the model streams.
 *
 * Why a virtual document rather than an untitled file, a webview or the chat panel: it is an ordinary text
 * editor, so the answer is readable with Markdown highlighting and copyable with the usual selection and
 * clipboard keys, searchable, and one click from the built-in Markdown preview (its title-bar button); being
 * read-only and provider-backed, it never asks to be saved when closed and never touches a file. The chat panel
 * is for conversations; a one-shot answer about a selection belongs next to that selection.
 */
import * as vscode from 'vscode';

export const RESULT_SCHEME = 'hearth-result';

export interface ResultView {
  readonly uri: vscode.Uri;
  update(body: string): void;
  /** Ends the stream; `note` (e.g. "Cancelled.") is shown under the answer. */
  finish(note?: string): void;
}

export interface ResultInfo {
  uri: vscode.Uri;
  text: string;
  done: boolean;
}

const REFRESH_MS = 80;

export class ResultViews implements vscode.Disposable {
  private readonly texts = new Map<string, { text: string; done: boolean }>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration: vscode.Disposable;
  private next = 1;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, {
      onDidChange: this.changed.event,
      provideTextDocumentContent: (uri) => this.texts.get(uri.toString())?.text ?? '',
    });
  }

  /** Opens an empty result beside the editor, without taking focus from the user's text. */
  async open(title: string, heading: string): Promise<ResultView> {
    const safe = title.replace(/[\\/:*?"<>|]/g, '_');
    const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${this.next++}/${safe}.md` });
    const key = uri.toString();
    const header = `# ${heading}\n\n`;
    this.texts.set(key, { text: `${header}_Hearth is writing…_\n`, done: false });
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== 'markdown') await vscode.languages.setTextDocumentLanguage(document, 'markdown');
    await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false });

    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      this.changed.fire(uri);
    };
    return {
      uri,
      update: (body) => {
        const entry = this.texts.get(key);
        if (!entry || entry.done) return;
        entry.text = header + body;
        timer ??= setTimeout(refresh, REFRESH_MS);
      },
      finish: (note) => {
        const entry = this.texts.get(key);
        if (!entry || entry.done) return;
        const body = entry.text.slice(header.length).replace(/_Hearth is writing…_\n$/, '');
        entry.text = header + body.trimEnd() + (note ? `${body.trim() ? '\n\n' : ''}_${note}_` : '') + '\n';
        entry.done = true;
        refresh();
      },
    };
  }

  list(): ResultInfo[] {
    return [...this.texts.entries()].map(([uri, e]) => ({ uri: vscode.Uri.parse(uri), text: e.text, done: e.done }));
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
