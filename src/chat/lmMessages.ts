/**
 * Converts VS Code Language Model API messages (`vscode.lm`) into the engine's chat messages. Kept free of
 * `vscode` because the API's classes are only known at run time (the typings Hearth builds against predate it):
 * it reads the documented shapes structurally. Roles: 1 user, 2 assistant, 3 system (proposed).
 */
import type { ChatMessage } from '../common/protocol';

export interface LmMessageLike {
  role: number;
  content: ReadonlyArray<unknown> | string;
}

function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (typeof part === 'object' && part !== null && typeof (part as { value?: unknown }).value === 'string') return (part as { value: string }).value;
  // Tool calls, tool results and images have no meaning to a small local text model.
  return '';
}

export function lmMessageText(message: LmMessageLike | string): string {
  if (typeof message === 'string') return message;
  return typeof message.content === 'string' ? message.content : message.content.map(partText).join('');
}

/** Consecutive messages of the same role are merged: chat templates expect alternating turns. */
export function toChatMessages(messages: readonly LmMessageLike[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const role: ChatMessage['role'] = m.role === 2 ? 'assistant' : m.role === 3 ? 'system' : 'user';
    const content = lmMessageText(m);
    if (!content) continue;
    const last = out.at(-1);
    if (last && last.role === role) last.content += `\n\n${content}`;
    else out.push({ role, content });
  }
  return out;
}
