/**
 * Streams one answer at a time (a request while one is starting or running is refused): plans the prompt into the model's window, runs the engine request, appends each
 * chunk to the answer turn, re-renders the views at most every `streamIntervalMs`, and settles the turn as done,
 * stopped or failed. A stop settles the turn at once (the partial answer is kept) without waiting for the engine
 * to wind down; chunks that still arrive are ignored.
 */
import type { InferenceEngine } from '../common/engine';
import { isCancelled } from '../common/errors';
import { formatContext } from './attachments';
import { formatUserTurn, planPrompt, type TokenCounter, turnsToMessages } from './contextBudget';
import type { ChatEvent } from './events';
import type { ChatTurn, Conversation } from './history';
import type { HostToWebview } from './messages';
import type { ChatSettings } from './settings';

export interface TurnRunnerOptions {
  engine: InferenceEngine;
  settings: () => ChatSettings;
  count: TokenCounter;
  emit: (event: ChatEvent) => void;
  post: (message: HostToWebview) => void;
  /** The answer as HTML for the views. */
  render: (turn: ChatTurn) => string;
  /** An answer started or ended: the views and the meter catch up. */
  changed: () => void;
  persist: (conversation: Conversation) => Promise<void>;
  now: () => number;
  log?: (message: string) => void;
  reportError?: (error: unknown) => void;
  streamIntervalMs?: number;
}

type Outcome = 'done' | 'stopped' | 'error';

interface Generation {
  abort: AbortController;
  turn: ChatTurn;
  finished: Promise<void>;
}

/** What an accepted request prepared: the answer turn to stream, last in its conversation. */
export interface PreparedAnswer {
  conversation: Conversation;
  assistant: ChatTurn;
}

export class TurnRunner {
  private generation: Generation | undefined;
  /** Set from the moment a request is accepted until its answer has started (or turned out not to be needed). */
  private starting: { stopped: boolean; settled: Promise<void> } | undefined;
  private streamTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly options: TurnRunnerOptions) {}

  /** An answer is running, or being prepared to run. */
  get busy(): boolean {
    return this.generation !== undefined || this.starting !== undefined;
  }

  /**
   * One answer at a time: the claim is taken in the same tick as the request, so a second Send or Regenerate
   * handled before the first has reached the engine is refused (resolves with nothing) instead of starting a
   * second answer that Stop would not reach. A stop while the answer is prepared (attachments being collected)
   * stops it as soon as it starts; the question is kept.
   */
  async start(what: string, prepare: () => Promise<PreparedAnswer | undefined>): Promise<ChatTurn | undefined> {
    if (this.busy) {
      this.options.log?.(`chat: ${what} ignored, an answer is already ${this.starting ? 'starting' : 'running'}`);
      return undefined;
    }
    let settle!: () => void;
    const claim = { stopped: false, settled: new Promise<void>((resolve) => (settle = resolve)) };
    this.starting = claim;
    let prepared: PreparedAnswer | undefined;
    try {
      prepared = await prepare();
    } finally {
      this.starting = undefined;
      if (!prepared) settle();
    }
    if (!prepared) return undefined;
    const answer = this.run(prepared.conversation, prepared.assistant);
    if (claim.stopped || this.disposed) void this.stop().then(settle);
    else settle();
    return answer;
  }

  /** Streams `assistant`, the last turn of `conversation`; resolves with it once it is settled and saved. */
  private async run(conversation: Conversation, assistant: ChatTurn): Promise<ChatTurn> {
    const { emit, changed, persist } = this.options;
    const abort = new AbortController();
    let finish!: () => void;
    const generation: Generation = { abort, turn: assistant, finished: new Promise<void>((r) => (finish = r)) };
    this.generation = generation;
    const aborted = new Promise<'stopped'>((resolve) => abort.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
    emit({ type: 'started', conversationId: conversation.id, messageId: assistant.id });
    changed();
    void persist(conversation);

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
      conversation.updatedAt = this.options.now();
      const status = assistant.status as Outcome;
      // Views and `stop()` learn of the end first; saving is not allowed to delay a stop.
      emit({ type: 'finished', messageId: assistant.id, status, text: assistant.content, error: assistant.error });
      changed();
      this.options.post({ type: 'announce', text: announcement(status, assistant) });
      finish();
    }
    await persist(conversation);
    return assistant;
  }

  /** Stops the answer being generated or prepared, if any. Resolves once it has been settled. */
  async stop(): Promise<void> {
    const starting = this.starting;
    if (starting) {
      starting.stopped = true;
      return starting.settled;
    }
    const generation = this.generation;
    if (!generation) return;
    generation.abort.abort();
    await generation.finished;
  }

  dispose(): void {
    this.disposed = true;
    this.generation?.abort.abort();
    clearTimeout(this.streamTimer);
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
      count: this.options.count,
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
          this.options.emit({ type: 'chunk', messageId: assistant.id, text });
          this.scheduleStream(assistant);
        },
      },
    );
    return result.text;
  }

  private scheduleStream(turn: ChatTurn): void {
    if (this.streamTimer) return;
    this.streamTimer = setTimeout(() => {
      this.streamTimer = undefined;
      if (this.disposed || this.generation?.turn !== turn) return;
      this.options.post({ type: 'stream', messageId: turn.id, html: this.options.render(turn) });
    }, this.options.streamIntervalMs ?? 33);
  }
}

/** What a screen reader hears when an answer ends. */
function announcement(status: Outcome, turn: ChatTurn): string {
  const plain = turn.content.replace(/\s+/g, ' ').trim();
  return status === 'done'
    ? `Hearth answered: ${plain.length > 400 ? `${plain.slice(0, 400)}…` : plain}`
    : status === 'stopped'
      ? 'Answer stopped.'
      : `Hearth could not answer: ${turn.error ?? 'unknown error'}`;
}
