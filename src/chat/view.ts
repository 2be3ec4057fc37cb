/**
 * The chat's two surfaces, the sidebar WebviewView and an editor-tab WebviewPanel, both thin: each webview gets
 * the CSP'd shell, may load files only from the extension's media folders, and forwards every message to the one
 * controller (which validates it). State lives in the controller and workspace storage, not in the webview, so
 * a hidden view is not kept alive (no retainContextWhenHidden): when it is shown again, it asks for the state.
 */
import * as vscode from 'vscode';
import type { ChatView } from './attachedViews';
import type { ChatController } from './controller';
import { createNonce, renderShell } from './webviewHtml';

export const CHAT_VIEW_ID = 'hearth.chat';
export const CHAT_PANEL_TYPE = 'hearth.chatPanel';

export class ChatWebviews implements vscode.WebviewViewProvider, vscode.WebviewPanelSerializer, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private panel: vscode.WebviewPanel | undefined;
  private readonly resolvedEmitter = new vscode.EventEmitter<'sidebar' | 'editor'>();
  /** Fires when a chat webview has been created (tests wait on it). */
  readonly onDidResolve = this.resolvedEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly controller: ChatController,
  ) {}

  get sidebarResolved(): boolean {
    return this.view !== undefined;
  }

  get panelOpen(): boolean {
    return this.panel !== undefined;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const subscriptions = this.connect(view.webview, 'sidebar');
    subscriptions.push(
      view.onDidChangeVisibility(() => {
        if (view.visible) this.controller.focus();
      }),
    );
    view.onDidDispose(() => {
      if (this.view === view) this.view = undefined;
      vscode.Disposable.from(...subscriptions).dispose();
    });
    this.resolvedEmitter.fire('sidebar');
  }

  openInEditor(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(CHAT_PANEL_TYPE, 'Hearth Chat', vscode.ViewColumn.Beside, this.options());
    this.adoptPanel(panel);
  }

  /** After a window reload VS Code hands back the editor-tab chat it had open. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    if (this.panel) {
      panel.dispose();
      return;
    }
    this.adoptPanel(panel);
  }

  private adoptPanel(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'hearth.svg');
    const subscriptions = this.connect(panel.webview, 'editor');
    subscriptions.push(
      panel.onDidChangeViewState(() => {
        if (panel.active) this.controller.focus();
      }),
    );
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
      vscode.Disposable.from(...subscriptions).dispose();
    });
    this.resolvedEmitter.fire('editor');
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      enableFindWidget: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'media'),
        vscode.Uri.joinPath(this.context.extensionUri, 'media'),
      ],
    };
  }

  private connect(webview: vscode.Webview, surface: 'sidebar' | 'editor'): vscode.Disposable[] {
    webview.options = this.options();
    const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'media', file)).toString();
    webview.html = renderShell({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: media('chat.js'),
      styleUri: media('chat.css'),
      surface,
    });
    const view: ChatView = {
      post: (message) => {
        void webview.postMessage(message);
      },
    };
    return [
      this.controller.attachView(view),
      webview.onDidReceiveMessage((message: unknown) => this.controller.handleMessage(message, view)),
    ];
  }

  dispose(): void {
    this.panel?.dispose();
    this.resolvedEmitter.dispose();
  }
}
