/**
 * The chat's behaviour, independent of VS Code: one current conversation shared by every attached view (the
 * sidebar and an editor tab show the same chat), its history operations, attachments and code-block actions,
 * and the webview messages that drive them. Answers stream through the `TurnRunner`, the context meter is the
 * `TokenMeter`, and what the views render is projected by `projectViewState`. Editor side effects (clipboard,
 * inserting code, picking a model) go through the injected `ChatHost`, so this class is unit-tested with a fake
 * engine and a fake host.
 */
import type { InferenceEngine } from '../common/engine';
import { Emitter } from '../common/emitter';
import { type Attachment, mergeAttachments, parseMentions } from './attachments';
import { AttachedViews, type ChatView } from './attachedViews';
import type { ChatEvent } from './events';
import { ask, type ChatTurn, type Conversation, ConversationStore, createConversation, editLastQuestion, regenerate } from './history';
import { MarkdownRenderer } from './markdown';
import { type AttachmentKind, type CodeAction, parseWebviewMessage, type ViewState, type WebviewToHost } from './messages';
import type { ChatSettings } from './settings';
import { type Meter, TokenMeter } from './tokenMeter';
import { TurnRunner } from './turnRunner';
import { projectViewState, RenderedAnswers } from './viewState';

export interface ChatHost {
  copyText(text: string): Promise<void>;
  /** Inserts at the cursor of the last active text editor; false when there is none. */
  insertAtCursor(code: string): Promise<boolean>;
  /** Proposes replacing the selection of the last active text editor, through the diff + Accept/Reject flow. */
  applyToSelection(code: string, title: string): Promise<void>;
  selectModel(): Promise<void>;
  /** Opens a mailto: link from an answer in the mail app, after the user confirms (model text chose the address). */
  openMailto(href: string): Promise<void>;
  /** The editor context for an attachment kind; empty when there is none (no editor, empty selection). */
  collect(kind: AttachmentKind): Promise<Attachment[]>;
  showInfo(message: string): void;
}

export interface ChatControllerOptions {
  engine: InferenceEngine;
  store: ConversationStore;
  host: ChatHost;
  settings: () => ChatSettings;
  log?: (message: string) => void;
  reportError?: (error: unknown) => void;
  /** How often a streaming answer is re-rendered for the views, at most. */
  streamIntervalMs?: number;
  now?: () => number;
}

export class ChatController {
  private conversation: Conversation;
  private pending: Attachment[] = [];
  private readonly events: Emitter<ChatEvent>;
  private readonly views: AttachedViews;
  private readonly markdown = new MarkdownRenderer();
  private readonly answers = new RenderedAnswers(this.markdown);
  private readonly meter: TokenMeter;
  private readonly runner: TurnRunner;
  private readonly stateSubscription: { dispose(): void };

  constructor(private readonly options: ChatControllerOptions) {
    const { store, engine, log } = options;
    const currentId = store.currentId();
    this.conversation = (currentId && store.get(currentId)) || createConversation(this.now());
    this.events = new Emitter((error) => log?.(`chat: an event listener failed: ${error}`));
    this.views = new AttachedViews(() => this.viewState(), log);
    this.meter = new TokenMeter(
      engine,
      () => ({ turns: this.conversation.turns, pending: this.pending, settings: options.settings() }),
      () => this.views.queueState(),
      log,
    );
    this.runner = new TurnRunner({
      engine,
      settings: options.settings,
      count: this.meter.count,
      emit: (event) => this.events.fire(event),
      post: (message) => this.views.post(message),
      render: (turn) => this.answers.html(turn),
      changed: () => this.changed(),
      persist: (conversation) => this.persist(conversation),
      now: () => this.now(),
      log,
      reportError: options.reportError,
      streamIntervalMs: options.streamIntervalMs,
    });
    this.stateSubscription = engine.onDidChangeState(() => {
      this.views.queueState();
      this.meter.schedule();
    });
    this.meter.schedule();
  }

  /** An answer is running, or being prepared to run. */
  get busy(): boolean {
    return this.runner.busy;
  }

  /** A snapshot of the current conversation. */
  get current(): Conversation {
    return structuredClone(this.conversation);
  }

  get attachments(): readonly Attachment[] {
    return this.pending;
  }

  onEvent(listener: (event: ChatEvent) => void): { dispose(): void } {
    return this.events.event(listener);
  }

  attachView(view: ChatView): { dispose(): void } {
    return this.views.attach(view);
  }

  /** Validates and acts on a message a webview posted. Returns false (and acts on nothing) when it is invalid. */
  async handleMessage(raw: unknown, from?: ChatView): Promise<boolean> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.options.log?.(`chat: ignored an invalid webview message: ${describe(raw)}`);
      this.events.fire({ type: 'rejectedMessage', message: raw });
      return false;
    }
    try {
      await this.dispatch(message, from);
    } catch (error) {
      this.options.log?.(`chat: ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`);
      this.options.reportError?.(error);
    }
    return true;
  }

  private async dispatch(message: WebviewToHost, from?: ChatView): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (from) from.post({ type: 'state', state: this.viewState() });
        else this.views.postState();
        return;
      case 'send':
        await this.send(message.text);
        return;
      case 'stop':
        await this.stop();
        return;
      case 'newChat':
        await this.newChat();
        return;
      case 'regenerate':
        await this.regenerate();
        return;
      case 'editLast':
        await this.editLast(message.text);
        return;
      case 'copyMessage':
        await this.copyMessage(message.messageId);
        return;
      case 'codeAction':
        await this.codeAction(message.action, message.messageId, message.block);
        return;
      case 'attach':
        await this.attach(message.kind);
        return;
      case 'removeAttachment':
        this.removeAttachment(message.id);
        return;
      case 'openConversation':
        await this.openConversation(message.id);
        return;
      case 'deleteConversation':
        await this.deleteConversation(message.id);
        return;
      case 'selectModel':
        await this.options.host.selectModel();
        return;
      case 'openMailto':
        await this.options.host.openMailto(message.href);
        return;
    }
  }

  /**
   * Asks a question (with `#` mentions resolved and the pending attachments) and streams the answer.
   * Resolves with the answer turn once it is done, stopped or failed; with nothing when an answer is already
   * starting or running (a double Send does not start two answers).
   */
  send(text: string): Promise<ChatTurn | undefined> {
    const { text: question, mentions } = parseMentions(text);
    if (!question && mentions.length === 0) return Promise.resolve(undefined);
    return this.runner.start('send', () => this.ask(question || 'Explain this.', mentions));
  }

  /** Stops the answer being generated or prepared, if any; the partial answer is kept. Resolves once it has ended. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  async newChat(): Promise<void> {
    await this.stop();
    this.conversation = createConversation(this.now());
    this.pending = [];
    await this.options.store.setCurrent(undefined);
    this.changed();
  }

  regenerate(): Promise<ChatTurn | undefined> {
    return this.runner.start('regenerate', async () => {
      const assistant = regenerate(this.conversation, this.now());
      return assistant && { conversation: this.conversation, assistant };
    });
  }

  editLast(text: string): Promise<ChatTurn | undefined> {
    const { text: question, mentions } = parseMentions(text);
    if (!question) return Promise.resolve(undefined);
    return this.runner.start('edit', async () => {
      const edited = editLastQuestion(this.conversation, question, this.now());
      if (!edited) return this.ask(question, mentions);
      for (const kind of mentions) {
        edited.user.attachments = mergeAttachments(edited.user.attachments ?? [], await this.options.host.collect(kind));
      }
      return { conversation: this.conversation, assistant: edited.assistant };
    });
  }

  /** Adds the question, with the pending attachments and those its mentions name, and the answer turn to fill. */
  private async ask(question: string, mentions: AttachmentKind[]): Promise<{ conversation: Conversation; assistant: ChatTurn }> {
    let attachments = this.pending;
    for (const kind of mentions) attachments = mergeAttachments(attachments, await this.options.host.collect(kind));
    this.pending = [];
    return { conversation: this.conversation, assistant: ask(this.conversation, question, attachments, this.now()).assistant };
  }

  async openConversation(id: string): Promise<boolean> {
    if (id === this.conversation.id) return true;
    const conversation = this.options.store.get(id);
    if (!conversation) {
      this.options.host.showInfo('That conversation is no longer in the history.');
      this.changed();
      return false;
    }
    await this.stop();
    this.conversation = conversation;
    await this.options.store.setCurrent(id);
    this.changed();
    return true;
  }

  async deleteConversation(id: string): Promise<void> {
    if (id === this.conversation.id) {
      await this.stop();
      this.conversation = createConversation(this.now());
    }
    await this.options.store.delete(id);
    this.changed();
  }

  async copyMessage(messageId: string): Promise<void> {
    const turn = this.conversation.turns.find((t) => t.id === messageId);
    if (turn) await this.options.host.copyText(turn.content);
  }

  async codeAction(action: CodeAction, messageId: string, block: number): Promise<void> {
    const { host } = this.options;
    // Code buttons exist only on answers: a message naming a question is not acted on.
    const turn = this.conversation.turns.find((t) => t.id === messageId && t.role === 'assistant');
    const code = turn ? this.markdown.codeBlocks(turn.content)[block]?.code : undefined;
    if (code === undefined) {
      host.showInfo('That code block is no longer available.');
      return;
    }
    if (action === 'copy') await host.copyText(code);
    else if (action === 'insert') {
      if (!(await host.insertAtCursor(code))) host.showInfo('Open a file to insert the code into.');
    } else await host.applyToSelection(code, 'Hearth: apply code from chat');
  }

  async attach(kind: AttachmentKind): Promise<number> {
    const found = await this.options.host.collect(kind);
    if (found.length === 0) {
      this.options.host.showInfo(kind === 'selection' ? 'Select some code in an editor first.' : 'Open a file in an editor first.');
      return 0;
    }
    this.pending = mergeAttachments(this.pending, found);
    this.changed();
    return found.length;
  }

  removeAttachment(id: string): void {
    this.pending = this.pending.filter((a) => a.id !== id);
    this.changed();
  }

  history(): ReturnType<ConversationStore['list']> {
    return this.options.store.list();
  }

  /** Makes every view show the current state and put the caret in the input. */
  focus(): void {
    this.views.postState();
    this.views.post({ type: 'focus' });
  }

  viewState(): ViewState {
    const { engine, store } = this.options;
    return projectViewState(
      { conversation: this.conversation, busy: this.busy, history: store.list(), engine: engine.state, meter: this.meter.current, pending: this.pending },
      this.answers,
    );
  }

  /** Recomputes how much of the context window the conversation (plus pending attachments) would use. */
  updateMeter(): Promise<Meter> {
    return this.meter.update();
  }

  dispose(): void {
    this.runner.dispose();
    this.stateSubscription.dispose();
    this.meter.dispose();
    this.views.dispose();
    this.events.dispose();
  }

  private changed(): void {
    this.views.postState();
    this.meter.schedule();
  }

  private async persist(conversation: Conversation): Promise<void> {
    try {
      await this.options.store.save(conversation);
      if (conversation === this.conversation) await this.options.store.setCurrent(conversation.id);
    } catch (error) {
      this.options.log?.(`chat: could not save the conversation: ${error}`);
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

function describe(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 200 ? `${json.slice(0, 200)}…` : json;
  } catch {
    return typeof value;
  }
}
