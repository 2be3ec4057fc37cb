/**
 * The context meter: how much of the model's window the conversation (plus the attachments waiting to be sent)
 * would take, and the token counter the prompt planner shares with it. Counts come from the model's own
 * tokenizer once the model is loaded (cached, since the same turns are counted again on every change); before
 * that, and if the tokenizer fails, from the estimate, which the meter shows as approximate (no total).
 */
import type { InferenceEngine } from '../common/engine';
import { estimateTokens } from '../common/text';
import { type Attachment, formatContext } from './attachments';
import { formatUserTurn, planPrompt, turnsToMessages } from './contextBudget';
import type { ChatTurn } from './history';
import type { ViewState } from './messages';
import type { ChatSettings } from './settings';

export type Meter = ViewState['meter'];

export interface MeterInput {
  turns: readonly ChatTurn[];
  pending: readonly Attachment[];
  settings: ChatSettings;
}

/** Counts cached beyond this many are dropped, all at once: cheaper than tracking use for a small cache. */
const MAX_CACHED_COUNTS = 500;
/** A burst of changes (an answer starting as the engine turns busy, several attachments) is measured once. */
const SETTLE_MS = 50;

export class TokenMeter {
  private readonly cache = new Map<string, number>();
  private value: Meter = { used: 0, dropped: 0 };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly engine: InferenceEngine,
    private readonly input: () => MeterInput,
    /** Called after each scheduled measurement, so the views can show it. */
    private readonly onDidUpdate: () => void,
    private readonly log?: (message: string) => void,
  ) {}

  get current(): Meter {
    return this.value;
  }

  /** Tokens in `text`: the loaded model's count, else the estimate (never starts loading the model). */
  readonly count = async (text: string): Promise<number> => {
    if (!this.engine.loadedModel) return estimateTokens(text);
    const cached = this.cache.get(text);
    if (cached !== undefined) return cached;
    try {
      const n = await this.engine.countTokens(text);
      if (this.cache.size > MAX_CACHED_COUNTS) this.cache.clear();
      this.cache.set(text, n);
      return n;
    } catch {
      return estimateTokens(text);
    }
  };

  /** Measures now: the finished turns and the pending attachments, planned as the next request would be. */
  async update(): Promise<Meter> {
    const contextSize = this.engine.loadedModel?.contextSize;
    const { turns, pending, settings } = this.input();
    const plan = await planPrompt({
      system: settings.systemPrompt,
      history: turnsToMessages(turns.filter((t) => t.status !== 'streaming'), formatUserTurn),
      question: '',
      context: formatContext(pending),
      contextSize: contextSize ?? Number.MAX_SAFE_INTEGER,
      maxTokens: settings.maxTokens,
      count: this.count,
    });
    this.value = contextSize
      ? { used: plan.promptTokens, total: contextSize, dropped: plan.droppedMessages }
      : { used: plan.promptTokens, dropped: 0 };
    return this.value;
  }

  schedule(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.disposed) return;
      this.update().then(
        () => this.onDidUpdate(),
        (e) => this.log?.(`chat: meter: ${e}`),
      );
    }, SETTLE_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }
}
