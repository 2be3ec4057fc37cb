/**
 * Editor context a question can carry: the selection, the current file, or every open editor. The VS Code glue
 * collects the text; this module parses `#selection` / `#file` / `#editors` mentions, bounds the size, removes
 * duplicates and formats the context into the question the model sees.
 */
import { fence } from '../common/text';
import type { AttachmentKind } from './messages';

export interface Attachment {
  id: string;
  kind: 'selection' | 'file' | 'editor';
  /** What the chip shows, e.g. `main.ts:12-30`. */
  label: string;
  /** Workspace-relative path (or the URI when outside the workspace). */
  path: string;
  languageId: string;
  text: string;
  /** 1-based inclusive line range, for a selection. */
  lines?: [number, number];
  truncated?: boolean;
}

const MENTION = /(^|[\s(])#(selection|file|editors)(?![\w-])/g;
const SPOKEN: Record<AttachmentKind, string> = { selection: 'the selection', file: 'the file', editors: 'the open files' };

/**
 * The mentions in a question, in order of first appearance, and the question with each mention replaced by
 * words, so "what does #selection do" still reads as a sentence to the model.
 */
export function parseMentions(question: string): { text: string; mentions: AttachmentKind[] } {
  const mentions: AttachmentKind[] = [];
  const text = question.replace(MENTION, (_m, before: string, kind: AttachmentKind) => {
    if (!mentions.includes(kind)) mentions.push(kind);
    return before + SPOKEN[kind];
  });
  return { text: text.trim(), mentions };
}

/** Keeps the head and the tail of an oversized text: both ends usually matter more than the middle. */
export function limitText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const marker = '\n… (middle omitted) …\n';
  const keep = Math.max(0, maxChars - marker.length);
  const head = Math.ceil(keep * 0.6);
  return { text: text.slice(0, head) + marker + text.slice(text.length - (keep - head)), truncated: true };
}

function sameSource(a: Attachment, b: Attachment): boolean {
  return a.kind === b.kind && a.path === b.path && a.lines?.[0] === b.lines?.[0] && a.lines?.[1] === b.lines?.[1];
}

/** Adds attachments, replacing an older one of the same source (a re-attached selection carries its new text). */
export function mergeAttachments(existing: Attachment[], added: Attachment[]): Attachment[] {
  const out = existing.filter((e) => !added.some((a) => sameSource(a, e)));
  // A whole file makes a selection in that file redundant.
  const files = new Set([...out, ...added].filter((a) => a.kind !== 'selection').map((a) => a.path));
  return [...out, ...added].filter((a) => a.kind !== 'selection' || !files.has(a.path));
}

function formatAttachment(a: Attachment): string {
  const where = a.lines ? `${a.path} (lines ${a.lines[0]}-${a.lines[1]})` : a.path;
  const what = a.kind === 'selection' ? 'Selected code from' : 'File';
  return `${what} ${where}${a.truncated ? ' (shortened)' : ''}:\n${fence(a.text, a.languageId)}`;
}

/** The context block placed before the question; empty when nothing is attached. */
export function formatContext(attachments: readonly Attachment[]): string {
  return attachments.map(formatAttachment).join('\n\n');
}

/** What the model receives as the user's message. */
export function composeQuestion(question: string, context: string): string {
  return context ? `${context}\n\n${question}` : question;
}
