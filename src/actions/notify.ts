/**
 * Every message the actions show goes through one small object, so integration tests can capture what the user
 * would have seen (and answer its buttons) instead of racing real notifications.
 */
import * as vscode from 'vscode';

export interface Notify {
  info(message: string, ...actions: string[]): Thenable<string | undefined>;
  warn(message: string, ...actions: string[]): Thenable<string | undefined>;
  error(message: string, ...actions: string[]): Thenable<string | undefined>;
  /** Engine failures (missing model, crash, …): the shared reporter knows the fix for each code. */
  engineError(error: unknown): void;
}

export function windowNotify(reportError: (error: unknown) => void): Notify {
  return {
    info: (m, ...a) => vscode.window.showInformationMessage(m, ...a),
    warn: (m, ...a) => vscode.window.showWarningMessage(m, ...a),
    error: (m, ...a) => vscode.window.showErrorMessage(m, ...a),
    engineError: (e) => reportError(e),
  };
}
