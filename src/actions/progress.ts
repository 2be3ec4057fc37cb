/** One cancellable progress notification around an action's model work; its Cancel aborts the request. */
import * as vscode from 'vscode';
import type { RunningActions } from './running';

export type ModelWork<T> = (signal: AbortSignal, report: (message: string) => void) => Promise<T>;

export type ModelProgress = <T>(title: string, work: ModelWork<T>) => Thenable<T>;

export function modelProgress(running: RunningActions): ModelProgress {
  return (title, work) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Hearth: ${title}`, cancellable: true }, async (progress, token) => {
      const controller = running.start();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        return await work(controller.signal, (message) => progress.report({ message }));
      } finally {
        subscription.dispose();
        running.end(controller);
      }
    });
}
