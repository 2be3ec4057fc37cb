/**
 * Fits a conversation into the model's context window. The newest question always goes in (its attached context
 * and then its own text are shortened if they alone are too big); earlier turns follow newest-first while they
 * fit; what is left out is replaced by a one-paragraph note of the earlier questions. It never fails: a tiny
 * context gets a tiny prompt, and the answer budget shrinks rather than the request erroring.
 */
import type { ChatMessage } from '../common/protocol';
import { composeQuestion, formatContext, limitText } from './attachments';
import type { ChatTurn } from './history';

export type TokenCounter = (text: string) => number | Promise<number>;

export interface BudgetInput {
  system?: string;
  /** Earlier turns, oldest first, as alternating user/assistant messages. */
  history: ChatMessage[];
  question: string;
  /** Attached editor context (placed before the question). */
  context: string;
  contextSize: number;
  maxTokens: number;
  count: TokenCounter;
  /** Tokens a chat template adds around each message. */
  perMessageOverhead?: number;
}

export interface BudgetPlan {
  messages: ChatMessage[];
  promptTokens: number;
  /** Answer budget: the requested maxTokens, or less when the window is small. */
  maxTokens: number;
  /** Earlier turns (messages) left out. */
  droppedMessages: number;
  summarized: boolean;
  contextShortened: boolean;
  questionShortened: boolean;
}

/** The answer gets its requested budget, but never more than half the window, and never less than a usable minimum. */
export function answerReserve(contextSize: number, maxTokens: number): number {
  const floor = Math.max(1, Math.min(64, Math.floor(contextSize / 4)));
  return Math.max(floor, Math.min(maxTokens, Math.floor(contextSize / 2)));
}

/**
 * Completed exchanges as chat messages: a question whose answer failed or is empty is left out, so the model
 * never sees two user messages in a row.
 */
export function turnsToMessages(turns: readonly ChatTurn[], format: (turn: ChatTurn) => string): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (let i = 0; i < turns.length - 1; i++) {
    const user = turns[i];
    const answer = turns[i + 1];
    if (user.role !== 'user' || answer.role !== 'assistant') continue;
    if (answer.status === 'error' || answer.status === 'streaming' || !answer.content.trim()) continue;
    out.push({ role: 'user', content: format(user) }, { role: 'assistant', content: answer.content });
    i++;
  }
  return out;
}

/** An earlier question as the model saw it: with the context that was attached to it. */
export function formatUserTurn(turn: ChatTurn): string {
  return composeQuestion(turn.content, formatContext(turn.attachments ?? []));
}

async function shrinkToFit(text: string, count: TokenCounter, maxTokens: number): Promise<{ text: string; shortened: boolean }> {
  let current = text;
  let shortened = false;
  for (let attempt = 0; attempt < 6; attempt++) {
    const tokens = await count(current);
    if (tokens <= maxTokens) return { text: current, shortened };
    if (maxTokens <= 0) return { text: '', shortened: true };
    const ratio = (maxTokens / tokens) * 0.9;
    current = limitText(current, Math.max(0, Math.floor(current.length * ratio))).text;
    shortened = true;
  }
  return { text: '', shortened: true };
}

export async function planPrompt(input: BudgetInput): Promise<BudgetPlan> {
  const overhead = input.perMessageOverhead ?? 6;
  const cost = async (content: string) => (await input.count(content)) + overhead;
  const reserve = answerReserve(input.contextSize, input.maxTokens);
  const budget = Math.max(0, input.contextSize - reserve - overhead);

  let system = input.system ?? '';
  let systemCost = system ? await cost(system) : 0;
  if (systemCost > budget / 2) {
    // An oversized system prompt must not crowd out the question itself.
    system = (await shrinkToFit(system, input.count, Math.floor(budget / 4))).text;
    systemCost = system ? await cost(system) : 0;
  }

  let context = input.context;
  let question = input.question;
  let contextShortened = false;
  let questionShortened = false;
  let questionCost = await cost(composeQuestion(question, context));
  if (systemCost + questionCost > budget) {
    const questionOnly = await cost(question);
    const roomForContext = budget - systemCost - questionOnly - 2;
    const fitted = await shrinkToFit(context, input.count, Math.max(0, roomForContext));
    context = fitted.text;
    contextShortened = fitted.shortened;
    questionCost = await cost(composeQuestion(question, context));
  }
  if (systemCost + questionCost > budget) {
    const fitted = await shrinkToFit(question, input.count, Math.max(1, budget - systemCost - overhead));
    question = fitted.text;
    questionShortened = fitted.shortened;
    questionCost = await cost(composeQuestion(question, context));
  }

  // Earlier turns, newest first, in whole exchanges so an answer never appears without its question.
  let used = systemCost + questionCost;
  let historyCost = 0;
  for (const m of input.history) historyCost += await cost(m.content);
  // When not everything fits, keep a little room for the note that stands in for what is left out.
  const noteRoom = used + historyCost > budget ? Math.min(64, Math.floor(budget / 8)) : 0;
  const kept: ChatMessage[] = [];
  let i = input.history.length;
  while (i > 0) {
    const start = i >= 2 && input.history[i - 2].role === 'user' ? i - 2 : i - 1;
    const exchange = input.history.slice(start, i);
    let exchangeCost = 0;
    for (const m of exchange) exchangeCost += await cost(m.content);
    if (used + exchangeCost > budget - noteRoom) break;
    used += exchangeCost;
    kept.unshift(...exchange);
    i = start;
  }
  const dropped = input.history.slice(0, i);

  let summarized = false;
  if (dropped.length > 0) {
    const note = await summarizeDropped(dropped, input.count, budget - used - (system ? 0 : overhead));
    if (note) {
      const merged = system ? `${system}\n\n${note}` : note;
      used += (await cost(merged)) - systemCost;
      systemCost = await cost(merged);
      system = merged;
      summarized = true;
    }
  }

  const messages: ChatMessage[] = [];
  if (system) messages.push({ role: 'system', content: system });
  messages.push(...kept, { role: 'user', content: composeQuestion(question, context) });
  return {
    messages,
    promptTokens: used,
    maxTokens: Math.max(1, Math.min(input.maxTokens, input.contextSize - used)),
    droppedMessages: dropped.length,
    summarized,
    contextShortened,
    questionShortened,
  };
}

/**
 * A note that stands in for turns that no longer fit: the earlier questions, newest first, each cut to a line.
 * Cheap and deterministic (no extra model call, which a small model would do poorly and slowly anyway).
 */
async function summarizeDropped(dropped: readonly ChatMessage[], count: TokenCounter, room: number): Promise<string | undefined> {
  const header = 'Earlier in this conversation (left out to fit the context window) the user asked:';
  if (room <= 0 || (await count(header)) > room) return undefined;
  const questions = dropped.filter((m) => m.role === 'user').map((m) => m.content.replace(/\s+/g, ' ').trim()).reverse();
  let note = header;
  let added = 0;
  for (const q of questions) {
    const line = `\n- ${q.length > 100 ? `${q.slice(0, 97)}…` : q}`;
    if ((await count(note + line)) > room) break;
    note += line;
    added++;
  }
  return added > 0 ? note : undefined;
}
