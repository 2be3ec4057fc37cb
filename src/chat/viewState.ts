/**
 * What a chat webview renders, projected from the controller's conversation, the engine and the meter. Answers
 * go out as HTML rendered and sanitized here (the webview never parses model text); each is rendered once per
 * content and the cache follows the conversation on screen, so a long chat is not re-rendered on every update.
 */
import type { EngineState } from '../common/engine';
import type { Attachment } from './attachments';
import type { ChatTurn, Conversation, ConversationSummary } from './history';
import type { BlockCache, MarkdownRenderer } from './markdown';
import type { ViewMessage, ViewState } from './messages';

export interface ViewStateSource {
  conversation: Conversation;
  busy: boolean;
  history: readonly ConversationSummary[];
  engine: EngineState;
  meter: ViewState['meter'];
  pending: readonly Attachment[];
}

export class RenderedAnswers {
  private readonly cache = new Map<string, { content: string; html: string; blocks: BlockCache }>();

  constructor(private readonly markdown: MarkdownRenderer) {}

  html(turn: ChatTurn): string {
    const cached = this.cache.get(turn.id);
    if (cached && cached.content === turn.content) return cached.html;
    // A streaming answer only grows at its end: its earlier blocks keep their rendering.
    const blocks = cached?.blocks ?? new Map();
    const html = this.markdown.renderBlocks(turn.content, blocks);
    this.cache.set(turn.id, { content: turn.content, html, blocks });
    return html;
  }

  /** Forgets the answers of turns no longer on screen. */
  keepOnly(turns: readonly ChatTurn[]): void {
    const live = new Set(turns.map((t) => t.id));
    for (const id of this.cache.keys()) if (!live.has(id)) this.cache.delete(id);
  }
}

export function projectViewState(source: ViewStateSource, answers: RenderedAnswers): ViewState {
  const { conversation, engine } = source;
  const messages = conversation.turns.map((turn): ViewMessage => {
    const m: ViewMessage = { id: turn.id, role: turn.role, status: turn.status ?? 'done' };
    if (turn.role === 'user') {
      m.text = turn.content;
      if (turn.attachments?.length) m.attachments = turn.attachments.map((a) => a.label);
    } else m.html = answers.html(turn);
    if (turn.error) m.error = turn.error;
    return m;
  });
  answers.keepOnly(conversation.turns);
  return {
    conversationId: conversation.id,
    title: conversation.title,
    messages,
    busy: source.busy,
    history: source.history.map((h) => ({ id: h.id, title: h.title, updatedAt: h.updatedAt, turns: h.turns })),
    engine: {
      kind: engine.kind,
      ...(engine.modelName ? { modelName: engine.modelName } : {}),
      ...(engine.message ? { message: engine.message } : {}),
    },
    meter: source.meter,
    chips: source.pending.map((a) => ({ id: a.id, kind: a.kind, label: a.label })),
  };
}
