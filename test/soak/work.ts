/**
 * The soak's work, each kind through the path a user's action takes in the extension host: keystrokes into a real
 * TextDocument with the registered inline completion provider asked on each (and the earlier request cancelled, as
 * VS Code does), a suggestion shown and accepted with VS Code's own inline-suggest commands, Summarize and Rewrite
 * through their commands (the rewrite's diff accepted or rejected), and chat turns as if typed in the chat view.
 * VS Code asks the provider by itself too while the editor has focus; identical requests join one generation.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension';

/** `keystroke`: one edit's round trip through the workbench, the floor under every typed request. */
export type Kind = 'completion' | 'accept' | 'summarize' | 'rewrite' | 'chat' | 'reload' | 'keystroke';

export interface Recorder {
  latency(kind: Kind, ms: number): void;
  fail(what: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STORY = 'One day Lily saw a big red ball near the tree. She ran to get it and her dog ran too. They played all day ' +
  'and the sun was warm. Mom called them home for dinner and Lily was happy. ';
const WORDS = STORY.split(' ');
/**
 * The document starts at the size it is kept to (MAX_CHARS), past the completion prompt's budget (640 tokens):
 * every prompt is full-size from the first keystroke, so the worker's memory reaches its working size in the
 * warm-up instead of growing with the document for the whole run.
 */
const MAX_CHARS = 3000;
const SEED = Array.from({ length: 60 }, (_, i) => Array.from({ length: 12 }, (_, j) => WORDS[(i * 5 + j) % WORDS.length]).join(' ').trim())
  .join('\n').slice(0, MAX_CHARS - 400) + '\n';
const QUESTIONS = ['Tell me a story about a little cat.', 'What did the dog do next?', 'Why was Lily happy?', 'Write a short poem about the sun.'];
/**
 * A person's pace: keys at a fast typist's 12 a second, and a word at most every 1.2 s (50 words a minute, without
 * pausing, for the whole run), so that MiB/hour means an hour of heavy use on any machine. At the pace the workbench
 * allows, a fast machine would send many times the requests a person does, and the worker's early climb in memory
 * (about 13 KB a request for its first thousand or two, measured here and by bench/soak.ts), which follows its
 * requests, would read as a slope.
 */
const KEY_MS = 80;
const ROUND_MS = 1200;
/** Turns per conversation: the chat's KV cache grows with its conversation, to this length's working size. */
const TURNS = 3;

export class Work {
  private editor!: vscode.TextEditor;
  private word = 0;
  private chats = 0;
  private rewrites = 0;
  /** Model requests the soak itself sent beyond completions (the worker's warm-up is counted in requests). */
  private assistantRequests = 0;
  readonly outcomes: Record<string, number> = {};

  constructor(private readonly hearth: HearthApi, private readonly rec: Recorder) {}

  async open(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-soak-'));
    const file = path.join(dir, 'story.txt');
    fs.writeFileSync(file, SEED);
    // The chat view open in the sidebar, so answers stream into a real webview.
    await vscode.commands.executeCommand('hearth.chat.focus');
    await this.hearth.chat.whenViewResolved();
    this.editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
    this.toEnd();
  }

  /** Model requests so far: the completion pipeline's (VS Code's own asks included) and the assistant's. */
  requests(): number {
    return this.hearth.completion.counters.requests + this.assistantRequests;
  }

  private count(outcome: string): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }

  private toEnd(): void {
    const end = this.editor.document.positionAt(this.editor.document.getText().length);
    this.editor.selection = new vscode.Selection(end, end);
  }

  private async focus(): Promise<void> {
    this.editor = await vscode.window.showTextDocument(this.editor.document, { viewColumn: vscode.ViewColumn.One });
  }

  /** One round: a typed word, and every few words one of the other kinds. */
  async round(): Promise<void> {
    const until = performance.now() + ROUND_MS;
    await this.focus();
    const n = this.word++;
    await this.typeWord(WORDS[n % WORDS.length] + (n % 9 === 8 ? '\n' : ' '));
    if (n % 5 === 1) await this.accept();
    if (n % 8 === 3) await this.chat();
    if (n % 12 === 5) await this.summarize();
    if (n % 12 === 11) await this.rewrite(this.rewrites++ % 2 === 0);
    await sleep(Math.max(0, until - performance.now()));
  }

  /**
   * Every kind once, to the largest evaluation each lane makes: after a (re)load, each workload's first requests
   * allocate what it keeps (KV cache pages, batch buffers sized to the prompt), and the host's first Summarize and
   * diff load what they keep (the Markdown extension, the diff editor). The memory fits start after it.
   */
  async prime(): Promise<void> {
    await this.focus();
    await this.typeWord(WORDS[this.word++ % WORDS.length] + ' ');
    await this.accept();
    // The chat lane's largest prompt: a conversation's last turn evaluated whole, after the actions took the lane.
    do await this.chat();
    while (this.chats % TURNS !== TURNS - 1);
    await this.summarize();
    await this.rewrite(this.rewrites++ % 2 === 0);
    await this.chat();
  }

  /** Keystrokes with a provider request on each; the last one's answer is the latency a typist waits for. */
  async typeWord(word: string, kind: Kind = 'completion'): Promise<void> {
    const doc = this.editor.document;
    if (doc.getText().length > MAX_CHARS) {
      await this.editor.edit((b) => b.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), SEED));
    }
    let previous: vscode.CancellationTokenSource | undefined;
    const asked: Array<Promise<unknown>> = [];
    let last: { started: number; answer: Promise<unknown> } | undefined;
    for (const ch of word) {
      previous?.cancel();
      this.toEnd();
      const typed = performance.now();
      if (!(await this.editor.edit((b) => b.insert(this.editor.selection.active, ch)))) this.rec.fail(`the editor refused a keystroke ${JSON.stringify(ch)}`);
      this.rec.latency('keystroke', performance.now() - typed);
      this.toEnd();
      const source = (previous = new vscode.CancellationTokenSource());
      const started = performance.now();
      const answer = Promise.resolve(this.hearth.completion.provider.provideInlineCompletionItems(doc, this.editor.selection.active,
        { triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined }, source.token));
      asked.push(answer);
      last = { started, answer };
      await sleep(KEY_MS);
    }
    const errorsBefore = this.hearth.completion.counters.errors;
    try {
      const items = await last!.answer;
      this.rec.latency(kind, performance.now() - last!.started);
      this.count(items ? 'completion shown' : 'completion empty');
      await Promise.all(asked);
    } catch (error) {
      this.rec.fail(`completion: ${(error as Error).stack ?? error}`);
    }
    if (this.hearth.completion.counters.errors > errorsBefore) this.rec.fail(`completion: ${this.hearth.completion.counters.errors - errorsBefore} error(s) in the pipeline`);
  }

  /** VS Code's own path: trigger shows the suggestion, commit accepts it (Tab). */
  async accept(): Promise<void> {
    const before = this.editor.document.getText();
    const started = performance.now();
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    for (let i = 0; i < 20; i++) {
      await sleep(50);
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
      if (this.editor.document.getText() !== before) {
        this.rec.latency('accept', performance.now() - started);
        this.count('suggestion accepted');
        return this.toEnd();
      }
    }
    // The fixture model often has nothing worth showing: no suggestion is an answer, not a failure.
    this.count('no suggestion to accept');
  }

  async chat(): Promise<void> {
    if (this.chats++ % TURNS === 0) await this.hearth.chat.newChat();
    this.assistantRequests++;
    const started = performance.now();
    const turn = await this.hearth.chat.send(QUESTIONS[this.chats % QUESTIONS.length]);
    if (turn?.status !== 'done') return this.rec.fail(`chat: the answer ended as ${turn?.status}: ${turn?.error ?? ''}`);
    this.rec.latency('chat', performance.now() - started);
  }

  /**
   * The last 300 characters, as a user selects a paragraph. Always the same size: each new longest prompt on the
   * chat lane grows the worker's buffers once, and a selection that grew with accepted rewrites would do so all run.
   */
  private selectTail(): void {
    const doc = this.editor.document;
    const end = doc.getText().length;
    this.editor.selection = new vscode.Selection(doc.positionAt(Math.max(0, end - 300)), doc.positionAt(end));
  }

  async summarize(): Promise<void> {
    this.selectTail();
    this.assistantRequests++;
    const started = performance.now();
    const outcome = await vscode.commands.executeCommand<string>('hearth.summarizeSelection');
    if (outcome !== 'shown') this.rec.fail(`summarize ended as ${outcome}`);
    else this.rec.latency('summarize', performance.now() - started);
    // A user reads the summary and closes it; left open, the tabs would be the soak's growth.
    const results = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === 'hearth-result');
    await vscode.window.tabGroups.close(results);
    this.toEnd();
  }

  async rewrite(accept: boolean): Promise<void> {
    this.selectTail();
    this.assistantRequests++;
    const started = performance.now();
    const outcome = vscode.commands.executeCommand<string>('hearth.rewriteSelection');
    let settled = false;
    outcome.then(() => (settled = true), () => (settled = true));
    const actions = this.hearth.actions;
    let proposal = actions.pendingProposals().find((p) => p.state === 'ready');
    for (const until = Date.now() + 60_000; !proposal && !settled && Date.now() < until; proposal = actions.pendingProposals().find((p) => p.state === 'ready')) await sleep(5);
    if (!proposal) return this.rec.fail(`rewrite: no proposal became ready (the command ended as ${settled ? await outcome : 'still running'})`);
    this.rec.latency('rewrite', performance.now() - started);
    await vscode.commands.executeCommand(accept ? 'hearth.proposal.accept' : 'hearth.proposal.reject', proposal.id);
    const ended = await outcome;
    if (ended !== (accept ? 'accepted' : 'rejected')) this.rec.fail(`rewrite: ${accept ? 'Accept' : 'Reject'} ended as ${ended}`);
    else this.count(`rewrite ${ended}`);
    this.toEnd();
  }

  /** After an unload or a model switch: the next keystroke's request waits for the model to load. */
  async reload(): Promise<void> {
    await this.focus();
    await this.typeWord('T', 'reload');
  }
}
