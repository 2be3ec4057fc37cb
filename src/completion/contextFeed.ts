/**
 * What the editor tells the pipeline besides completion requests: keystrokes (for the adaptive debounce), chunks
 * of files the user opens, saves or switches to, copied text, and idleness, when new context is warmed into the
 * model's cache so the next keystroke does not pay for it.
 */
import * as vscode from 'vscode';
import { isUserDocumentScheme } from '../common/documents';
import { ClipboardSampler } from './clipboardSampler';
import type { CompletionController } from './controller';
import { IdleTimer } from './idleTimer';
import type { CompletionSettings } from './settings';
import { relativePathOf, snapshotOf } from './vscodeDocument';

const IDLE_MS = 1500;
/** The cursor has rested at a new place this long: warm its prompt (short, since typing there may follow). */
const PLACE_IDLE_MS = 250;
/** A move of more lines than this (or to another file) is a jump to a new place. */
const JUMP_LINES = 8;
/** Lines read on each side of the line of interest; the ring cuts its chunk from these. */
const CHUNK_READ_LINES = 32;

export interface FeedDeps {
  controller: CompletionController;
  settings: () => CompletionSettings;
  /** Whether completions run in the document now (on, not snoozed, its language on). */
  isActive: (document: vscode.TextDocument) => boolean;
  /** A warm-up finished. */
  onWarmed: () => void;
}

export class ContextFeed implements vscode.Disposable {
  private readonly clipboard = new ClipboardSampler();
  private readonly idle = new IdleTimer(IDLE_MS, (signal) => this.warm(signal));
  private readonly place = new IdleTimer(PLACE_IDLE_MS, (signal) => this.warmPlace(signal));
  private lastPlace: { uri: string; line: number } | undefined;
  /** Where each document was last edited, so a save contributes the region the user worked on. */
  private readonly lastEditLine = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly deps: FeedDeps) {
    const { controller } = deps;
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0) return;
        this.lastEditLine.set(e.document.uri.toString(), e.contentChanges[0].range.start.line);
        if (e.document === vscode.window.activeTextEditor?.document) {
          controller.noteKeystroke();
          this.idle.restart();
          // A warm-up already running goes on: the keystroke's request continues from what it evaluated.
          this.place.cancelPending();
          this.lastPlace = { uri: e.document.uri.toString(), line: e.contentChanges[0].range.start.line };
        }
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        this.addChunk(d, this.lastEditLine.get(d.uri.toString()) ?? 0);
        this.idle.restart();
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (d.uri.scheme === 'file' || d.uri.scheme === 'untitled') this.addChunk(d, 0);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.addChunk(editor.document, editor.selection.active.line);
        this.idle.restart();
        if (editor) this.noteMove(editor);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        this.idle.restart();
        if (e.textEditor === vscode.window.activeTextEditor && e.kind !== vscode.TextEditorSelectionChangeKind.Command) this.noteMove(e.textEditor);
      }),
    ];
  }

  /** Called on each completion request: takes newly copied text into the ring, at most every few seconds. */
  sampleClipboard(): void {
    // In a browser (code-server, vscode.dev) reading the clipboard makes the page ask for permission or show an
    // error toast while the user types: never there.
    if (vscode.env.uiKind === vscode.UIKind.Web) return;
    if (!this.deps.settings().extraContext || !this.clipboard.due()) return;
    void vscode.env.clipboard.readText().then((text) => {
      const copied = this.clipboard.take(text);
      if (copied !== undefined) this.deps.controller.ring.add('clipboard', copied);
    }, () => undefined);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.idle.dispose();
    this.place.dispose();
  }

  /** The cursor moved: a jump to a new place schedules a warm-up there; a small move cancels a pending one. */
  private noteMove(editor: vscode.TextEditor): void {
    const here = { uri: editor.document.uri.toString(), line: editor.selection.active.line };
    const last = this.lastPlace;
    this.lastPlace = here;
    if (last && last.uri === here.uri && Math.abs(last.line - here.line) <= JUMP_LINES) return;
    this.place.restart();
  }

  private warmPlace(signal: AbortSignal): void {
    const { controller, isActive, onWarmed } = this.deps;
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isActive(editor.document) || !editor.selection.isEmpty) return;
    void controller.warmPlace(snapshotOf(editor.document, editor.selection.active), signal).then(onWarmed, () => undefined);
  }

  private addChunk(document: vscode.TextDocument, line: number): void {
    if (!this.deps.settings().extraContext || !isUserDocumentScheme(document.uri.scheme) || document.lineCount === 0) return;
    const from = Math.max(0, line - CHUNK_READ_LINES);
    const to = Math.min(document.lineCount - 1, line + CHUNK_READ_LINES);
    const text = document.getText(new vscode.Range(from, 0, to, document.lineAt(to).text.length));
    this.deps.controller.ring.add(relativePathOf(document.uri), text, line - from);
  }

  private warm(signal: AbortSignal): void {
    const { controller, isActive, onWarmed } = this.deps;
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isActive(editor.document) || !controller.ring.pending) return;
    void controller.warm(snapshotOf(editor.document, editor.selection.active), signal).then(onWarmed, () => undefined);
  }
}
