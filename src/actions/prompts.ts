/**
 * The chat messages for each action. The worker renders them through the model's own chat template (or a
 * fallback wrapper for models without one), so this module only decides what to ask, per action and per kind
 * of text: code, prose or Markdown.
 */
import type { ChatMessage, SamplingOptions } from '../common/protocol';
import { fence } from '../common/text';
import type { CustomAction, CustomOutput } from './customActions';
import { renderCustomPrompt } from './template';
import { languageLabel, textKind, type TextKind } from './textKind';

export type ActionSpec =
  | { type: 'summarize' }
  | { type: 'explain' }
  | { type: 'rewrite' }
  | { type: 'transform'; instruction: string }
  | { type: 'custom'; action: CustomAction };

export interface PromptContext {
  text: string;
  languageId: string;
  fileName: string;
  /** Nothing was selected, so the whole file is the subject. */
  wholeFile?: boolean;
  /** Set when the text is one piece of a longer one (map step of map-reduce, or a chunk of a long rewrite). */
  part?: { index: number; count: number };
}

export function outputMode(spec: ActionSpec): CustomOutput {
  switch (spec.type) {
    case 'summarize':
    case 'explain':
      return 'show';
    case 'rewrite':
    case 'transform':
      return 'replace';
    case 'custom':
      return spec.action.output;
  }
}

export function actionTitle(spec: ActionSpec): string {
  switch (spec.type) {
    case 'summarize':
      return 'Summary';
    case 'explain':
      return 'Explanation';
    case 'rewrite':
      return 'Rewrite';
    case 'transform':
      return 'Transform';
    case 'custom':
      return spec.action.name;
  }
}

const PERSONA = 'You are Hearth, a careful assistant that runs locally inside a code editor.';
const ONLY_RESULT = 'Reply with only the result text: no introduction, no explanation afterwards, no Markdown code fences around it.';

function subject(kind: TextKind, languageId: string): string {
  if (kind === 'code') return `${languageLabel(languageId)} code`;
  if (kind === 'markdown') return 'Markdown text';
  return 'text';
}

function fenceTag(kind: TextKind, languageId: string): string {
  return kind === 'code' ? languageId : kind === 'markdown' ? 'markdown' : 'text';
}

function where(ctx: PromptContext): string {
  const scope = ctx.wholeFile ? `the file ${ctx.fileName}` : `a selection from ${ctx.fileName}`;
  return ctx.part ? `part ${ctx.part.index + 1} of ${ctx.part.count} of ${scope}` : scope;
}

export function buildMessages(spec: ActionSpec, ctx: PromptContext): ChatMessage[] {
  const kind = textKind(ctx.languageId);
  const what = subject(kind, ctx.languageId);
  const body = fence(ctx.text, fenceTag(kind, ctx.languageId));
  const from = where(ctx);
  switch (spec.type) {
    case 'summarize': {
      const ask =
        kind === 'code'
          ? `Summarize what this ${what} (${from}) does in a few sentences, then list its main parts as short bullet points.`
          : `Summarize this ${what} (${from}) in a few sentences, keeping its key points and conclusions.`;
      const partNote = ctx.part ? ' Summarize only this part; it will be combined with the others later.' : '';
      return [
        { role: 'system', content: `${PERSONA} You write short, accurate summaries in Markdown.` },
        { role: 'user', content: `${ask}${partNote}\n\n${body}` },
      ];
    }
    case 'explain': {
      const ask =
        kind === 'code'
          ? `Explain what this ${what} (${from}) does, step by step, for a developer who is new to it. Point out anything surprising or risky.`
          : `Explain this ${what} (${from}) in plain words: what it means, and any terms a reader may not know.`;
      const partNote = ctx.part ? ' Explain only this part; it will be combined with the others later.' : '';
      return [
        { role: 'system', content: `${PERSONA} You explain clearly and concretely, in Markdown.` },
        { role: 'user', content: `${ask}${partNote}\n\n${body}` },
      ];
    }
    case 'rewrite': {
      const ask =
        kind === 'code'
          ? `Tidy this ${what} (${from}) so it is easier to read without changing what it does: keep every name other code may use, keep comments, and keep the indentation style.`
          : kind === 'markdown'
            ? `Rewrite this ${what} (${from}) to fix grammar, spelling and clarity. Keep the meaning and the author's voice, about the same length, and every bit of Markdown formatting, link and code block as it is.`
            : `Rewrite this ${what} (${from}) to fix grammar, spelling and clarity. Keep the meaning and the author's voice, and about the same length.`;
      return [
        { role: 'system', content: `${PERSONA} You edit text precisely. ${ONLY_RESULT}` },
        { role: 'user', content: `${ask}\n\n${body}` },
      ];
    }
    case 'transform':
      return [
        { role: 'system', content: `${PERSONA} You change text exactly as instructed and change nothing else. ${ONLY_RESULT}` },
        { role: 'user', content: `Instruction: ${spec.instruction.trim()}\n\nApply the instruction to this ${what} (${from}):\n\n${body}` },
      ];
    case 'custom': {
      const mode = spec.action.output;
      const rule =
        mode === 'show'
          ? 'Answer in Markdown.'
          : mode === 'insertBelow'
            ? 'Reply with only the text to insert below the given text: no introduction, no explanation, no Markdown code fences.'
            : `Your reply replaces the given text. ${ONLY_RESULT}`;
      const user = renderCustomPrompt(spec.action.prompt, {
        selection: ctx.text,
        language: languageLabel(ctx.languageId),
        fileName: ctx.fileName,
      });
      const partNote = ctx.part ? `\n\n(This is ${where(ctx)}.)` : '';
      return [
        { role: 'system', content: `${PERSONA} ${rule}` },
        { role: 'user', content: `${user}${partNote}` },
      ];
    }
  }
}

/** The reduce step: combine the answers for consecutive parts into one. */
export function buildReduceMessages(spec: ActionSpec, parts: readonly string[], ctx: Omit<PromptContext, 'text' | 'part'>): ChatMessage[] {
  const noun = spec.type === 'explain' ? 'explanations' : spec.type === 'summarize' ? 'summaries' : 'answers';
  const goal =
    spec.type === 'explain'
      ? 'Combine them into one coherent explanation of the whole, in Markdown, without repeating yourself.'
      : spec.type === 'summarize'
        ? 'Combine them into one short summary of the whole, in Markdown: a few sentences, then the main points as bullets.'
        : `Combine them into one answer to the original request ("${spec.type === 'custom' ? spec.action.name : spec.type}"), in Markdown.`;
  const scope = ctx.wholeFile ? `the file ${ctx.fileName}` : `a long selection from ${ctx.fileName}`;
  const listed = parts.map((p, i) => `Part ${i + 1}:\n${p.trim()}`).join('\n\n');
  return [
    { role: 'system', content: `${PERSONA} You merge partial results into one clear result.` },
    { role: 'user', content: `These are ${noun} of consecutive parts of ${scope}. ${goal}\n\n${listed}` },
  ];
}

/**
 * Sampling per action: a rewrite needs room for about as much text as it got (plus slack), a summary little.
 * Low temperature: edits should be faithful, not creative. Never more than the context leaves free.
 */
export function samplingFor(spec: ActionSpec, inputTokens: number, freeTokens: number): SamplingOptions {
  const mode = outputMode(spec);
  const wanted =
    mode === 'show'
      ? spec.type === 'summarize'
        ? 384
        : 768
      : Math.ceil(inputTokens * 1.5) + 64;
  return {
    maxTokens: Math.max(16, Math.min(wanted, freeTokens)),
    temperature: mode === 'show' ? 0.4 : 0.2,
    topP: 0.9,
  };
}
