/**
 * The chat capability: registers the sidebar view, the editor-tab command, New/Stop/History commands and,
 * behind a setting, the Language Model API provider. Cheap at activation: the webview, the Markdown renderer
 * and the model are only touched when the chat is first shown or used.
 */
import * as vscode from 'vscode';
import type { HearthServices } from '../common/services';
import { ChatController } from './controller';
import { EditorHost } from './editorHost';
import type { ChatEvent } from './events';
import { ask, type ChatTurn, type Conversation, type ConversationSummary, ConversationStore, createConversation } from './history';
import { registerLanguageModel } from './languageModel';
import { type ChatSettings, readChatSettings, readRegisterLanguageModel, type SettingReader } from './settings';
import { CHAT_PANEL_TYPE, CHAT_VIEW_ID, ChatWebviews } from './view';

export interface ChatApi {
  /** Asks a question as if typed in the chat; resolves with the answer once done, stopped or failed. */
  send(text: string): Promise<ChatTurn | undefined>;
  stop(): Promise<void>;
  newChat(): Promise<void>;
  regenerate(): Promise<ChatTurn | undefined>;
  editLast(text: string): Promise<ChatTurn | undefined>;
  openConversation(id: string): Promise<boolean>;
  /** A snapshot of the conversation on screen. */
  readonly current: Conversation;
  readonly busy: boolean;
  history(): ConversationSummary[];
  onEvent(listener: (event: ChatEvent) => void): vscode.Disposable;
  /** Resolves once the sidebar view (or the editor-tab chat) has been created. */
  whenViewResolved(): Promise<'sidebar' | 'editor'>;
  readonly sidebarResolved: boolean;
  /** Feeds a message to the controller exactly as a webview would (validation included). */
  postFromWebview(message: unknown): Promise<boolean>;
  /** Whether the Language Model API provider is registered. */
  readonly languageModelRegistered: boolean;
  /** The answer settings the next answer will use (user settings only: a workspace cannot change them). */
  settings(): ChatSettings;
  /**
   * Test hook, not used by the product: saves a finished exchange with a given answer to the history and opens it
   * the way reopening a saved chat does. The fixture models cannot be made to write a code block, so the
   * integration tests need a known answer to run the code-block actions on. Resolves with the answer turn.
   */
  seedExchangeForTesting(question: string, answer: string): Promise<ChatTurn>;
  /** The same for many exchanges in one conversation (the webview fuzz test shows hostile answers through it). */
  seedConversationForTesting(exchanges: Array<{ question: string; answer: string }>): Promise<ChatTurn[]>;
}

/** `hearth.chat.*` as configured now; read afresh for every answer, so a changed setting applies to the next one. */
function chatConfiguration(): SettingReader {
  const c = vscode.workspace.getConfiguration('hearth.chat');
  return (key, fallback) => c.get(key, fallback);
}

export function registerChat(services: HearthServices): { disposables: vscode.Disposable[]; api: ChatApi } {
  const { context, engine, log } = services;
  const host = new EditorHost(log, services.editing);
  const store = new ConversationStore(context.workspaceState);
  const settings = () => readChatSettings(chatConfiguration());
  const controller = new ChatController({
    engine,
    store,
    host,
    settings,
    log: (m) => log.info(m),
    reportError: (e) => services.reportError(e),
  });
  const webviews = new ChatWebviews(context, controller);
  const busyContext = controller.onEvent((e) => {
    if (e.type === 'started' || e.type === 'finished') void vscode.commands.executeCommand('setContext', 'hearth.chatBusy', controller.busy);
  });

  let languageModel: vscode.Disposable | undefined;
  const updateLanguageModel = () => {
    const wanted = readRegisterLanguageModel(chatConfiguration());
    if (wanted && !languageModel) {
      languageModel = registerLanguageModel(engine, log, () => vscode.workspace.getConfiguration('hearth').get<number>('contextSize', 4096));
    } else if (!wanted && languageModel) {
      languageModel.dispose();
      languageModel = undefined;
    }
  };
  updateLanguageModel();

  const showHistory = async () => {
    const items = controller.history().map((h) => ({
      label: h.title,
      description: new Date(h.updatedAt).toLocaleString(),
      detail: `${Math.ceil(h.turns / 2)} question${h.turns > 2 ? 's' : ''}`,
      id: h.id,
    }));
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No saved chats in this workspace yet.');
      return;
    }
    const pick = await vscode.window.showQuickPick(items, { title: 'Hearth: Chat History', placeHolder: 'Reopen a conversation' });
    if (pick) {
      await controller.openConversation(pick.id);
      await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    }
  };

  const disposables: vscode.Disposable[] = [
    host,
    webviews,
    busyContext,
    { dispose: () => controller.dispose() },
    { dispose: () => languageModel?.dispose() },
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, webviews),
    vscode.window.registerWebviewPanelSerializer(CHAT_PANEL_TYPE, webviews),
    vscode.commands.registerCommand('hearth.openChatInEditor', () => webviews.openInEditor()),
    vscode.commands.registerCommand('hearth.newChat', async () => {
      await controller.newChat();
      if (!webviews.panelOpen) await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
      controller.focus();
    }),
    vscode.commands.registerCommand('hearth.stopChat', () => controller.stop()),
    vscode.commands.registerCommand('hearth.showChatHistory', showHistory),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('hearth.chat.registerLanguageModel')) updateLanguageModel();
    }),
  ];

  let resolvedSurface: 'sidebar' | 'editor' | undefined;
  const resolved = new Promise<'sidebar' | 'editor'>((resolve) => {
    disposables.push(
      webviews.onDidResolve((surface) => {
        resolvedSurface ??= surface;
        resolve(surface);
      }),
    );
  });

  /** Saves a finished conversation to the history and opens it, as a saved chat is reopened. */
  const seed = async (exchanges: Array<{ question: string; answer: string }>): Promise<ChatTurn[]> => {
    const conversation = createConversation();
    const answers = exchanges.map(({ question, answer }) => {
      const { assistant } = ask(conversation, question);
      assistant.content = answer;
      assistant.status = 'done';
      return assistant;
    });
    await store.save(conversation);
    if (!(await controller.openConversation(conversation.id))) throw new Error('the seeded conversation did not open');
    return structuredClone(answers);
  };

  const api: ChatApi = {
    send: (text) => controller.send(text),
    stop: () => controller.stop(),
    newChat: () => controller.newChat(),
    regenerate: () => controller.regenerate(),
    editLast: (text) => controller.editLast(text),
    openConversation: (id) => controller.openConversation(id),
    get current() {
      return controller.current;
    },
    get busy() {
      return controller.busy;
    },
    history: () => controller.history(),
    onEvent: (listener) => new vscode.Disposable(controller.onEvent(listener).dispose),
    whenViewResolved: () => (resolvedSurface ? Promise.resolve(resolvedSurface) : resolved),
    get sidebarResolved() {
      return webviews.sidebarResolved;
    },
    postFromWebview: (message) => controller.handleMessage(message),
    get languageModelRegistered() {
      return languageModel !== undefined;
    },
    settings,
    seedExchangeForTesting: async (question, answer) => (await seed([{ question, answer }]))[0],
    seedConversationForTesting: (exchanges) => seed(exchanges),
  };
  return { disposables, api };
}
