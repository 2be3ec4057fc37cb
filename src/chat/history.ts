/**
 * Conversations and their persistence. A conversation is a list of turns; the operations the chat offers
 * (ask, answer streaming in, stop, regenerate the last answer, edit and resend the last question) are plain
 * functions on it so they can be tested without VS Code. The store keeps an index plus one key per
 * conversation in an injected key-value storage (the workspace's Memento in the extension), so saving one
 * conversation never rewrites the others.
 */
import type { Attachment } from './attachments';

export type TurnStatus = 'streaming' | 'done' | 'stopped' | 'error';

export interface ChatTurn {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: number;
  /** User turns: the context attached when asked, kept so that regenerate and resend send the same prompt. */
  attachments?: Attachment[];
  /** Assistant turns: how the answer ended. */
  status?: TurnStatus;
  error?: string;
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  turns: ChatTurn[];
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  turns: number;
}

/** The subset of `vscode.Memento` the store needs. */
export interface KeyValueStorage {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

/** Unique enough within a workspace (the time and 10 random base-36 digits), and matches the webview's id format. */
export function newId(now = Date.now()): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => (b % 36).toString(36)).join('');
  return `${now.toString(36)}-${random}`;
}

export function createConversation(now = Date.now()): Conversation {
  return { id: newId(now), title: 'New chat', createdAt: now, updatedAt: now, turns: [] };
}

/** A conversation is named after its first question, on one line and short enough for a list. */
export function titleFrom(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  if (!line) return 'New chat';
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}…` : line;
}

/** Adds the question and an empty streaming answer; returns both turns. */
export function ask(
  conversation: Conversation,
  question: string,
  attachments: Attachment[] = [],
  now = Date.now(),
): { user: ChatTurn; assistant: ChatTurn } {
  const user: ChatTurn = { id: newId(now), role: 'user', content: question, createdAt: now };
  if (attachments.length) user.attachments = attachments;
  const assistant: ChatTurn = { id: newId(now), role: 'assistant', content: '', createdAt: now, status: 'streaming' };
  if (!conversation.turns.some((t) => t.role === 'user')) conversation.title = titleFrom(question);
  conversation.turns.push(user, assistant);
  conversation.updatedAt = now;
  return { user, assistant };
}

function lastUserIndex(conversation: Conversation): number {
  for (let i = conversation.turns.length - 1; i >= 0; i--) if (conversation.turns[i].role === 'user') return i;
  return -1;
}

/**
 * Replaces the last answer with a fresh streaming one for the same question. Returns undefined when there is
 * no question to answer again.
 */
export function regenerate(conversation: Conversation, now = Date.now()): ChatTurn | undefined {
  const at = lastUserIndex(conversation);
  if (at === -1) return undefined;
  conversation.turns.splice(at + 1);
  const assistant: ChatTurn = { id: newId(now), role: 'assistant', content: '', createdAt: now, status: 'streaming' };
  conversation.turns.push(assistant);
  conversation.updatedAt = now;
  return assistant;
}

/**
 * Replaces the last question (keeping its attachments) and drops its answer; the caller then streams a new one.
 * Returns undefined when the conversation has no question yet.
 */
export function editLastQuestion(conversation: Conversation, question: string, now = Date.now()): { user: ChatTurn; assistant: ChatTurn } | undefined {
  const at = lastUserIndex(conversation);
  if (at === -1) return undefined;
  const previous = conversation.turns[at];
  conversation.turns.splice(at);
  const isFirst = at === 0;
  const result = ask(conversation, question, previous.attachments ?? [], now);
  if (isFirst) conversation.title = titleFrom(question);
  return result;
}

/** An answer that was streaming when the window closed can never finish: show it as stopped. */
function settleInterrupted(conversation: Conversation): void {
  for (const turn of conversation.turns) if (turn.status === 'streaming') turn.status = 'stopped';
}

function isTurn(value: unknown): value is ChatTurn {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Partial<ChatTurn>;
  return typeof t.id === 'string' && (t.role === 'user' || t.role === 'assistant') && typeof t.content === 'string';
}

function isConversation(value: unknown): value is Conversation {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<Conversation>;
  return typeof c.id === 'string' && typeof c.title === 'string' && Array.isArray(c.turns) && c.turns.every(isTurn);
}

const INDEX_KEY = 'hearth.chat.index';
const CURRENT_KEY = 'hearth.chat.current';
const conversationKey = (id: string) => `hearth.chat.conversation.${id}`;

export class ConversationStore {
  constructor(
    private readonly storage: KeyValueStorage,
    /** Older conversations beyond this many are deleted: workspace state is not meant for unbounded data. */
    private readonly maxConversations = 50,
  ) {}

  /** Most recently updated first. */
  list(): ConversationSummary[] {
    const index = this.storage.get<unknown>(INDEX_KEY);
    if (!Array.isArray(index)) return [];
    return index
      .filter((e): e is ConversationSummary => typeof e?.id === 'string' && typeof e?.title === 'string')
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** The stored conversation, or undefined when it is missing or unreadable (a corrupt entry is not fatal). */
  get(id: string): Conversation | undefined {
    const value = this.storage.get<unknown>(conversationKey(id));
    if (!isConversation(value)) return undefined;
    const copy = structuredClone(value);
    settleInterrupted(copy);
    return copy;
  }

  /** Saves a conversation that has at least one turn (an empty "new chat" is not worth a history entry). */
  async save(conversation: Conversation): Promise<void> {
    if (conversation.turns.length === 0) return;
    const summary: ConversationSummary = {
      id: conversation.id,
      title: conversation.title,
      updatedAt: conversation.updatedAt,
      turns: conversation.turns.length,
    };
    const index = [summary, ...this.list().filter((e) => e.id !== conversation.id)];
    const evicted = index.splice(this.maxConversations);
    await this.storage.update(conversationKey(conversation.id), structuredClone(conversation));
    await this.storage.update(INDEX_KEY, index);
    for (const e of evicted) await this.storage.update(conversationKey(e.id), undefined);
  }

  async delete(id: string): Promise<boolean> {
    const index = this.list();
    const kept = index.filter((e) => e.id !== id);
    await this.storage.update(conversationKey(id), undefined);
    await this.storage.update(INDEX_KEY, kept);
    if (this.currentId() === id) await this.storage.update(CURRENT_KEY, undefined);
    return kept.length !== index.length;
  }

  /** The conversation open when the window closed, to reopen after a reload. */
  currentId(): string | undefined {
    const id = this.storage.get<unknown>(CURRENT_KEY);
    return typeof id === 'string' ? id : undefined;
  }

  async setCurrent(id: string | undefined): Promise<void> {
    await this.storage.update(CURRENT_KEY, id);
  }
}
