/**
 * The chat's behaviour, independent of VS Code: one current conversation shared by every attached view (the
 * sidebar and an editor tab show the same chat), streaming answers from the engine, stop, regenerate, edit and
 * resend, history, attachments and the context meter. Editor side effects (clipboard, inserting code, picking a
 * model) go through the injected `ChatHost`, so this class is unit-tested with a fake engine and a fake host.
 */
import type { InferenceEngine } from '../common/engine';
import { isCancelled } from '../common/errors';
import { type Attachment, composeQuestion, formatContext, mergeAttachments, parseMentions } from './attachments';
import { estimateTokens, planPrompt, turnsToMessages } from './contextBudget';
import {
  ask,
  type ChatTurn,
  type Conversation,
  ConversationStore,
  createConversation,
  editLastQuestion,
  regenerate,
} from './history';
import { extractCodeBlocks, renderMarkdown } from './markdown';
import {
  type AttachmentKind,
  type CodeAction,
  type HostToWebview,
  parseWebviewMessage,
  type ViewMessage,
  type ViewState,
  type WebviewToHost,
} from './messages';

export interface ChatHost {
  copyText(text: string): Promise<void>;
  /** Inserts at the cursor of the last active text editor; false when there is none. */
  insertAtCursor(code: string): Promise<boolean>;
  /** Proposes replacing the selection of the last active text editor, through the diff + Accept/Reject flow. */
  applyToSelection(code: string, title: string): Promise<void>;
  selectModel(): Promise<void>;
  /** The editor context for an attachment kind; empty when there is none (no editor, empty selection). */
  collect(kind: AttachmentKind): Promise<Attachment[]>;
  showInfo(message: string): void;
}

export interface ChatSettings {
  maxTokens: number;
  temperature: number;
  systemPrompt: string;
}

export interface ChatView {
  post(message: HostToWebview): void;
}

export type ChatEvent =
  | { type: 'started'; conversationId: string; messageId: string }
  | { type: 'chunk'; messageId: string; text: string }
  | { type: 'finished'; messageId: string; status: 'done' | 'stopped' | 'error'; text: string; error?: string }
  | { type: 'rejectedMessage'; message: unknown };

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

interface Generation {
  abort: AbortController;
  turn: ChatTurn;
  finished: Promise<void>;
}

export class ChatController {
  private conversation: Conversation;
  private pending: Attachment[] = [];
  private generation: Generation | undefined;
  private readonly views = new Set<ChatView>();
  private readonly listeners = new Set<(event: ChatEvent) => void>();
  private readonly rendered = new Map<string, { content: string; html: string }>();
  private readonly tokenCache = new Map<string, number>();
  private meter: ViewState['meter'] = { used: 0, dropped: 0 };
  private meterTimer: ReturnType<typeof setTimeout> | undefined;
  private streamTimer: ReturnType<typeof setTimeout> | undefined;
  private stateQueued = false;
  private disposed = false;
  private readonly stateSubscription: { dispose(): void };

  constructor(private readonly options: ChatControllerOptions) {
    const { store } = options;
    const currentId = store.currentId();
    this.conversation = (currentId && store.get(currentId)) || createConversation(this.now());
    this.stateSubscription = options.engine.onDidChangeState(() => {
      this.queueState();
      this.queueMeter();
    });
    this.queueMeter();
  }

  get busy(): boolean {
    return this.generation !== undefined;
  }

  /** A snapshot of the current conversation. */
  get current(): Conversation {
    return structuredClone(this.conversation);
  }

  get attachments(): readonly Attachment[] {
    return this.pending;
  }

  onEvent(listener: (event: ChatEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  attachView(view: ChatView): { dispose(): void } {
    this.views.add(view);
    return { dispose: () => this.views.delete(view) };
  }

  /** Validates and acts on a message a webview posted. Returns false (and acts on nothing) when it is invalid. */
  async handleMessage(raw: unknown, from?: ChatView): Promise<boolean> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.options.log?.(`chat: ignored an invalid webview message: ${describe(raw)}`);
      this.emit({ type: 'rejectedMessage', message: raw });
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
        else this.postState();
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
    }
  }

  /**
   * Asks a question (with `#` mentions resolved and the pending attachments) and streams the answer.
   * Resolves with the answer turn once it is done, stopped or failed.
   */
  async send(text: string): Promise<ChatTurn | undefined> {
    const { text: question, mentions } = parseMentions(text);
    if (!question && mentions.length === 0) return undefined;
    await this.stop();
    let attachments = this.pending;
    for (const kind of mentions) attachments = mergeAttachments(attachments, await this.options.host.collect(kind));
    this.pending = [];
    const { assistant } = ask(this.conversation, question || 'Explain this.', attachments, this.now());
    return this.generate(assistant);
  }

  /** Stops the answer being generated, if any; the partial answer is kept. Resolves once it has ended. */
  async stop(): Promise<void> {
    const generation = this.generation;
    if (!generation) return;
    generation.abort.abort();
    await generation.finished;
  }

  async newChat(): Promise<void> {
    await this.stop();
    this.conversation = createConversation(this.now());
    this.pending = [];
    await this.options.store.setCurrent(undefined);
    this.changed();
  }

  async regenerate(): Promise<ChatTurn | undefined> {
    await this.stop();
    const assistant = regenerate(this.conversation, this.now());
    if (!assistant) return undefined;
    return this.generate(assistant);
  }

  async editLast(text: string): Promise<ChatTurn | undefined> {
    await this.stop();
    const { text: question, mentions } = parseMentions(text);
    if (!question) return undefined;
    const edited = editLastQuestion(this.conversation, question, this.now());
    if (!edited) return this.send(text);
    for (const kind of mentions) {
      edited.user.attachments = mergeAttachments(edited.user.attachments ?? [], await this.options.host.collect(kind));
    }
    return this.generate(edited.assistant);
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
    // Code buttons exist only on answers: a message naming a question is not acted on.
    const turn = this.conversation.turns.find((t) => t.id === messageId && t.role === 'assistant');
    const code = turn ? extractCodeBlocks(turn.content)[block]?.code : undefined;
    if (code === undefined) {
      this.options.host.showInfo('That code block is no longer available.');
      return;
    }
    if (action === 'copy') await this.options.host.copyText(code);
    else if (action === 'insert') {
      if (!(await this.options.host.insertAtCursor(code))) this.options.host.showInfo('Open a file to insert the code into.');
    } else await this.options.host.applyToSelection(code, 'Hearth: apply code from chat');
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
    this.postState();
    for (const view of this.views) view.post({ type: 'focus' });
  }

  dispose(): void {
    this.disposed = true;
    this.generation?.abort.abort();
    this.stateSubscription.dispose();
    clearTimeout(this.meterTimer);
    clearTimeout(this.streamTimer);
    this.views.clear();
    this.listeners.clear();
  }

  private async generate(assistant: ChatTurn): Promise<ChatTurn> {
    const conversation = this.conversation;
    const abort = new AbortController();
    let finish!: () => void;
    const generation: Generation = { abort, turn: assistant, finished: new Promise<void>((r) => (finish = r)) };
    this.generation = generation;
    const aborted = new Promise<'stopped'>((resolve) => abort.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
    this.emit({ type: 'started', conversationId: conversation.id, messageId: assistant.id });
    this.changed();
    void this.persist(conversation);

    try {
      const outcome = await Promise.race([this.request(conversation, assistant, abort.signal), aborted]);
      if (outcome === 'stopped') assistant.status = 'stopped';
      else {
        assistant.content = outcome || assistant.content;
        assistant.status = 'done';
      }
    } catch (error) {
      if (isCancelled(error) || abort.signal.aborted) assistant.status = 'stopped';
      else {
        assistant.status = 'error';
        assistant.error = error instanceof Error ? error.message : String(error);
        this.options.reportError?.(error);
      }
    } finally {
      if (this.generation === generation) this.generation = undefined;
      clearTimeout(this.streamTimer);
      this.streamTimer = undefined;
      conversation.updatedAt = this.now();
      const status = assistant.status as 'done' | 'stopped' | 'error';
      // Views and `stop()` learn of the end first; saving is not allowed to delay a stop.
      this.emit({ type: 'finished', messageId: assistant.id, status, text: assistant.content, error: assistant.error });
      this.changed();
      this.announce(status, assistant);
      finish();
    }
    await this.persist(conversation);
    return assistant;
  }

  /** Runs the engine request; resolves with the final text. Chunks after a stop are ignored. */
  private async request(conversation: Conversation, assistant: ChatTurn, signal: AbortSignal): Promise<string> {
    const { engine } = this.options;
    const settings = this.options.settings();
    const info = engine.loadedModel ?? (await engine.modelInfo());
    if (signal.aborted) return assistant.content;
    const turns = conversation.turns;
    const at = turns.indexOf(assistant);
    const question = turns[at - 1];
    const plan = await planPrompt({
      system: settings.systemPrompt,
      history: turnsToMessages(turns.slice(0, at - 1), formatUserTurn),
      question: question.content,
      context: formatContext(question.attachments ?? []),
      contextSize: info.contextSize,
      maxTokens: settings.maxTokens,
      count: (text) => this.countTokens(text),
    });
    if (plan.droppedMessages > 0) this.options.log?.(`chat: left out ${plan.droppedMessages} earlier messages to fit ${info.contextSize} tokens`);
    if (signal.aborted) return assistant.content;
    const result = await engine.chat(
      plan.messages,
      { maxTokens: plan.maxTokens, temperature: settings.temperature },
      {
        signal,
        onChunk: (text) => {
          if (signal.aborted) return;
          assistant.content += text;
          this.emit({ type: 'chunk', messageId: assistant.id, text });
          this.scheduleStream(assistant);
        },
      },
    );
    return result.text;
  }

  private async countTokens(text: string): Promise<number> {
    const { engine } = this.options;
    if (!engine.loadedModel) return estimateTokens(text);
    const cached = this.tokenCache.get(text);
    if (cached !== undefined) return cached;
    try {
      const n = await engine.countTokens(text);
      if (this.tokenCache.size > 500) this.tokenCache.clear();
      this.tokenCache.set(text, n);
      return n;
    } catch {
      return estimateTokens(text);
    }
  }

  private scheduleStream(turn: ChatTurn): void {
    if (this.streamTimer) return;
    this.streamTimer = setTimeout(() => {
      this.streamTimer = undefined;
      if (this.disposed || this.generation?.turn !== turn) return;
      this.post({ type: 'stream', messageId: turn.id, html: this.renderTurn(turn) });
    }, this.options.streamIntervalMs ?? 33);
  }

  private renderTurn(turn: ChatTurn): string {
    const cached = this.rendered.get(turn.id);
    if (cached && cached.content === turn.content) return cached.html;
    const html = renderMarkdown(turn.content);
    this.rendered.set(turn.id, { content: turn.content, html });
    return html;
  }

  viewState(): ViewState {
    const { engine } = this.options;
    const messages: ViewMessage[] = this.conversation.turns.map((turn) => {
      const m: ViewMessage = { id: turn.id, role: turn.role, status: turn.status ?? 'done' };
      if (turn.role === 'user') {
        m.text = turn.content;
        if (turn.attachments?.length) m.attachments = turn.attachments.map((a) => a.label);
      } else m.html = this.renderTurn(turn);
      if (turn.error) m.error = turn.error;
      return m;
    });
    const live = new Set(this.conversation.turns.map((t) => t.id));
    for (const id of this.rendered.keys()) if (!live.has(id)) this.rendered.delete(id);
    const state = engine.state;
    return {
      conversationId: this.conversation.id,
      title: this.conversation.title,
      messages,
      busy: this.busy,
      history: this.options.store.list().map((h) => ({ id: h.id, title: h.title, updatedAt: h.updatedAt, turns: h.turns })),
      engine: {
        kind: state.kind,
        ...(state.modelName ? { modelName: state.modelName } : {}),
        ...(state.message ? { message: state.message } : {}),
        ...(engine.loadedModel ? { contextSize: engine.loadedModel.contextSize } : {}),
      },
      meter: this.meter,
      chips: this.pending.map((a) => ({ id: a.id, kind: a.kind, label: a.label })),
    };
  }

  /** Recomputes how much of the context window the conversation (plus pending attachments) would use. */
  async updateMeter(): Promise<ViewState['meter']> {
    const { engine } = this.options;
    const contextSize = engine.loadedModel?.contextSize;
    const settings = this.options.settings();
    const turns = this.conversation.turns.filter((t) => t.status !== 'streaming');
    const plan = await planPrompt({
      system: settings.systemPrompt,
      history: turnsToMessages(turns, formatUserTurn),
      question: '',
      context: formatContext(this.pending),
      contextSize: contextSize ?? Number.MAX_SAFE_INTEGER,
      maxTokens: settings.maxTokens,
      count: (text) => this.countTokens(text),
    });
    this.meter = contextSize
      ? { used: plan.promptTokens, total: contextSize, dropped: plan.droppedMessages }
      : { used: plan.promptTokens, dropped: 0 };
    return this.meter;
  }

  private queueMeter(): void {
    clearTimeout(this.meterTimer);
    this.meterTimer = setTimeout(() => {
      if (this.disposed) return;
      this.updateMeter().then(
        () => this.queueState(),
        (e) => this.options.log?.(`chat: meter: ${e}`),
      );
    }, 50);
  }

  private changed(): void {
    this.postState();
    this.queueMeter();
  }

  private queueState(): void {
    if (this.stateQueued) return;
    this.stateQueued = true;
    queueMicrotask(() => {
      this.stateQueued = false;
      if (!this.disposed) this.postState();
    });
  }

  private postState(): void {
    if (this.views.size === 0) return;
    this.post({ type: 'state', state: this.viewState() });
  }

  private announce(status: 'done' | 'stopped' | 'error', turn: ChatTurn): void {
    const plain = turn.content.replace(/\s+/g, ' ').trim();
    const text =
      status === 'done'
        ? `Hearth answered: ${plain.length > 400 ? `${plain.slice(0, 400)}…` : plain}`
        : status === 'stopped'
          ? 'Answer stopped.'
          : `Hearth could not answer: ${turn.error ?? 'unknown error'}`;
    this.post({ type: 'announce', text });
  }

  private post(message: HostToWebview): void {
    for (const view of this.views) {
      try {
        view.post(message);
      } catch (error) {
        this.options.log?.(`chat: could not post to a view: ${error}`);
      }
    }
  }

  private async persist(conversation: Conversation): Promise<void> {
    try {
      await this.options.store.save(conversation);
      if (conversation === this.conversation) await this.options.store.setCurrent(conversation.id);
    } catch (error) {
      this.options.log?.(`chat: could not save the conversation: ${error}`);
    }
  }

  private emit(event: ChatEvent): void {
    for (const l of this.listeners) l(event);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

function formatUserTurn(turn: ChatTurn): string {
  return composeQuestion(turn.content, formatContext(turn.attachments ?? []));
}

function describe(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 200 ? `${json.slice(0, 200)}…` : json;
  } catch {
    return typeof value;
  }
}
