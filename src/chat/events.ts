/**
 * What the chat tells its listeners: the glue sets the `hearth.chatBusy` context key from these, and the
 * integration tests follow an answer through them.
 */
export type ChatEvent =
  | { type: 'started'; conversationId: string; messageId: string }
  | { type: 'chunk'; messageId: string; text: string }
  | { type: 'finished'; messageId: string; status: 'done' | 'stopped' | 'error'; text: string; error?: string }
  | { type: 'rejectedMessage'; message: unknown };
