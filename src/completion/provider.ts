/** The InlineCompletionItemProvider: VS Code's request in, the controller's snapshot-based answer out as an item. */
import * as vscode from 'vscode';
import type { CompletionController } from './controller';
import { recordShown, type ShownEntry } from './shownLog';
import { snapshotOf } from './vscodeDocument';

export interface ProviderDeps {
  controller: CompletionController;
  isActive: (document: vscode.TextDocument) => boolean;
  /** Before each request (the clipboard sample). */
  onRequest: () => void;
  /** After each request that reached the controller, served or not (the status bar). */
  onAnswered: () => void;
  log: vscode.LogOutputChannel;
}

export class CompletionProvider implements vscode.InlineCompletionItemProvider {
  /** Every suggestion handed to VS Code (the last 500). */
  readonly shownLog: ShownEntry[] = [];

  constructor(private readonly deps: ProviderDeps) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const { controller } = this.deps;
    if (!this.deps.isActive(document)) return undefined;
    this.deps.onRequest();
    const requestedVersion = document.version;
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const snapshot = snapshotOf(document, position);
      const served = await controller.provide(snapshot, {
        signal: abort.signal,
        explicit: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
        isStale: () => token.isCancellationRequested || document.version !== requestedVersion,
      });
      this.deps.onAnswered();
      if (!served || token.isCancellationRequested || document.version !== requestedVersion) return undefined;
      recordShown(this.shownLog, {
        uri: document.uri.toString(), requestedVersion, servedVersion: document.version, text: served.text, fromCache: served.fromCache,
      });
      const item = new vscode.InlineCompletionItem(served.text, new vscode.Range(position, position), {
        command: 'hearth.completion.accepted', title: 'Accepted', arguments: [document.uri.toString()],
      });
      return [item];
    } catch (error) {
      this.deps.log.warn(`completion failed: ${(error as Error).message}`);
      return undefined;
    } finally {
      sub.dispose();
    }
  }
}
