/**
 * Optionally offers the local model to VS Code's Language Model API (`vscode.lm`), so VS Code's own chat and
 * other extensions can use it. The provider API is newer than the VS Code typings Hearth builds against (1.90),
 * so it is feature-detected at run time and reached through a narrow structural type; on a VS Code without it,
 * the setting does nothing but log why.
 */
import * as vscode from 'vscode';
import type { InferenceEngine } from '../common/engine';
import { lmMessageText, type LmMessageLike, toChatMessages } from './lmMessages';

const VENDOR = 'hearth';
const MODEL_ID = 'hearth-local';

interface LmChatInformation {
  id: string;
  name: string;
  family: string;
  version: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  tooltip?: string;
  detail?: string;
  capabilities: Record<string, never>;
}

interface LmProvider {
  onDidChangeLanguageModelChatInformation?: vscode.Event<void>;
  provideLanguageModelChatInformation(options: { silent: boolean }, token: vscode.CancellationToken): Promise<LmChatInformation[]>;
  provideLanguageModelChatResponse(
    model: LmChatInformation,
    messages: readonly LmMessageLike[],
    options: { modelOptions?: Record<string, unknown> },
    progress: vscode.Progress<unknown>,
    token: vscode.CancellationToken,
  ): Promise<void>;
  provideTokenCount(model: LmChatInformation, text: string | LmMessageLike, token: vscode.CancellationToken): Promise<number>;
}

interface LmNamespace {
  registerLanguageModelChatProvider?: (vendor: string, provider: LmProvider) => vscode.Disposable;
}

type TextPartConstructor = new (value: string) => unknown;

/** Registers the provider where supported; returns undefined (and logs) where this VS Code lacks the API. */
export function registerLanguageModel(engine: InferenceEngine, log: vscode.LogOutputChannel, contextSize: () => number): vscode.Disposable | undefined {
  const api = vscode as unknown as { lm?: LmNamespace; LanguageModelTextPart?: TextPartConstructor };
  const register = api.lm?.registerLanguageModelChatProvider;
  const TextPart = api.LanguageModelTextPart;
  if (typeof register !== 'function' || typeof TextPart !== 'function') {
    log.info(`chat: this VS Code (${vscode.version}) has no Language Model provider API; hearth.chat.registerLanguageModel has no effect`);
    return undefined;
  }
  const changed = new vscode.EventEmitter<void>();
  const stateSubscription = engine.onDidChangeState(() => changed.fire());
  const provider: LmProvider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    async provideLanguageModelChatInformation() {
      const state = engine.state;
      if (state.kind === 'noModel') return [];
      const info = engine.loadedModel;
      const name = info?.name ?? state.modelName ?? 'local model';
      const maxInputTokens = info?.contextSize ?? contextSize();
      return [{
        id: MODEL_ID,
        name: `Hearth: ${name}`,
        family: info?.architecture ?? 'gguf',
        version: '1',
        maxInputTokens,
        maxOutputTokens: Math.max(64, Math.floor(maxInputTokens / 2)),
        tooltip: 'A model running locally inside VS Code, through Hearth. Nothing leaves this machine.',
        detail: 'local',
        capabilities: {},
      }];
    },
    async provideLanguageModelChatResponse(model, messages, options, progress, token) {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        const requested = options.modelOptions?.maxTokens;
        const maxTokens = typeof requested === 'number' && requested > 0 ? Math.min(requested, model.maxOutputTokens) : Math.min(1024, model.maxOutputTokens);
        await engine.chat(toChatMessages(messages), { maxTokens }, {
          signal: abort.signal,
          onChunk: (text) => progress.report(new TextPart(text)),
        });
      } finally {
        cancel.dispose();
      }
    },
    async provideTokenCount(_model, text) {
      return engine.countTokens(lmMessageText(text));
    },
  };
  try {
    const registration = register(VENDOR, provider);
    log.info('chat: registered the local model with the Language Model API');
    return vscode.Disposable.from(registration, stateSubscription, changed);
  } catch (error) {
    stateSubscription.dispose();
    changed.dispose();
    log.warn(`chat: could not register with the Language Model API: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
