/**
 * Every message that crosses the webview boundary, in both directions, and the validators that stand between a
 * posted value and any action. The webview is treated like an untrusted client: a message that is not exactly one of
 * these shapes (unknown type, missing or extra field, wrong type, oversized text, malformed id) is rejected, never
 * coerced. Imported by the extension host and bundled into the webview, so it must not import `vscode`.
 */

export type AttachmentKind = 'selection' | 'file' | 'editors';
export type CodeAction = 'copy' | 'insert' | 'apply';

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'send'; text: string }
  | { type: 'stop' }
  | { type: 'newChat' }
  | { type: 'regenerate' }
  | { type: 'editLast'; text: string }
  | { type: 'copyMessage'; messageId: string }
  | { type: 'codeAction'; action: CodeAction; messageId: string; block: number }
  | { type: 'attach'; kind: AttachmentKind }
  | { type: 'removeAttachment'; id: string }
  | { type: 'openConversation'; id: string }
  | { type: 'deleteConversation'; id: string }
  | { type: 'selectModel' }
  /** A click on a mailto: link in an answer: the host asks before a mail app opens. */
  | { type: 'openMailto'; href: string };

export interface ViewMessage {
  id: string;
  role: 'user' | 'assistant';
  /** User turns: plain text (the webview sets it as text, never as HTML). */
  text?: string;
  /** Assistant turns: Markdown already rendered and sanitized by the host. */
  html?: string;
  status: 'streaming' | 'done' | 'stopped' | 'error';
  error?: string;
  /** Labels of the context attached to a user turn. */
  attachments?: string[];
}

export interface ViewChip {
  id: string;
  kind: 'selection' | 'file' | 'editor';
  label: string;
}

export interface ViewHistoryEntry {
  id: string;
  title: string;
  updatedAt: number;
  turns: number;
}

export interface ViewState {
  conversationId: string;
  title: string;
  messages: ViewMessage[];
  busy: boolean;
  history: ViewHistoryEntry[];
  engine: { kind: string; modelName?: string; message?: string };
  meter: { used: number; total?: number; dropped: number };
  chips: ViewChip[];
}

export type HostToWebview =
  | { type: 'state'; state: ViewState }
  | { type: 'stream'; messageId: string; html: string }
  | { type: 'announce'; text: string }
  | { type: 'focus' };

/** Longest text the webview may send (a question plus pasted code); more is refused, not cut silently. */
export const MAX_TEXT_LENGTH = 100_000;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

type FieldCheck = (value: unknown) => boolean;
const text: FieldCheck = (v) => typeof v === 'string' && v.length <= MAX_TEXT_LENGTH;
const id: FieldCheck = (v) => typeof v === 'string' && ID.test(v);
const oneOf = (...allowed: string[]): FieldCheck => (v) => typeof v === 'string' && allowed.includes(v);
const mailto: FieldCheck = (v) => typeof v === 'string' && v.length <= 2048 && /^mailto:/i.test(v);
const blockIndex: FieldCheck = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 10_000;

const webviewSchemas: Record<WebviewToHost['type'], Record<string, FieldCheck>> = {
  ready: {},
  send: { text },
  stop: {},
  newChat: {},
  regenerate: {},
  editLast: { text },
  copyMessage: { messageId: id },
  codeAction: { action: oneOf('copy', 'insert', 'apply'), messageId: id, block: blockIndex },
  attach: { kind: oneOf('selection', 'file', 'editors') },
  removeAttachment: { id },
  openConversation: { id },
  deleteConversation: { id },
  selectModel: {},
  openMailto: { href: mailto },
};

function matches(value: unknown, schemas: Record<string, Record<string, FieldCheck>>): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return false;
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(schemas, type)) return false;
  const schema = schemas[type];
  const keys = Object.keys(record);
  if (keys.length !== Object.keys(schema).length + 1) return false;
  for (const key of keys) {
    if (key === 'type') continue;
    if (!Object.prototype.hasOwnProperty.call(schema, key)) return false;
    if (!schema[key](record[key])) return false;
  }
  return true;
}

/** The message if it is exactly one of the shapes the host accepts; undefined otherwise. */
export function parseWebviewMessage(value: unknown): WebviewToHost | undefined {
  return matches(value, webviewSchemas) ? (value as WebviewToHost) : undefined;
}

const str = (v: unknown): boolean => typeof v === 'string';
const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string';
const num = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const optNum = (v: unknown): boolean => v === undefined || num(v);
const arrayOf = (v: unknown, check: (item: unknown) => boolean): boolean => Array.isArray(v) && v.every(check);
const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isViewMessage(v: unknown): boolean {
  if (!obj(v)) return false;
  return (
    id(v.id) &&
    (v.role === 'user' || v.role === 'assistant') &&
    optStr(v.text) &&
    optStr(v.html) &&
    oneOf('streaming', 'done', 'stopped', 'error')(v.status) &&
    optStr(v.error) &&
    (v.attachments === undefined || arrayOf(v.attachments, str))
  );
}

function isViewState(v: unknown): boolean {
  if (!obj(v)) return false;
  const engine = v.engine;
  const meter = v.meter;
  return (
    id(v.conversationId) &&
    str(v.title) &&
    arrayOf(v.messages, isViewMessage) &&
    typeof v.busy === 'boolean' &&
    arrayOf(v.history, (h) => obj(h) && id(h.id) && str(h.title) && num(h.updatedAt) && num(h.turns)) &&
    obj(engine) && str(engine.kind) && optStr(engine.modelName) && optStr(engine.message) &&
    obj(meter) && num(meter.used) && optNum(meter.total) && num(meter.dropped) &&
    arrayOf(v.chips, (c) => obj(c) && id(c.id) && oneOf('selection', 'file', 'editor')(c.kind) && str(c.label))
  );
}

/** The webview's check on what the host posts (defence in depth: only the host can post, but a bug should not render). */
export function parseHostMessage(value: unknown): HostToWebview | undefined {
  if (!obj(value)) return undefined;
  switch (value.type) {
    case 'state':
      return Object.keys(value).length === 2 && isViewState(value.state) ? (value as HostToWebview) : undefined;
    case 'stream':
      return Object.keys(value).length === 3 && id(value.messageId) && str(value.html) ? (value as HostToWebview) : undefined;
    case 'announce':
      return Object.keys(value).length === 2 && str(value.text) ? (value as HostToWebview) : undefined;
    case 'focus':
      return Object.keys(value).length === 1 ? (value as HostToWebview) : undefined;
    default:
      return undefined;
  }
}
