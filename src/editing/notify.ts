/** The notifier the editing flows use outside tests: VS Code's notifications, engine failures to the shared reporter. */
import * as vscode from 'vscode';
import type { Notify } from '../common/editing';

export function windowNotify(reportError: (error: unknown) => void): Notify {
  return {
    info: (m, ...a) => vscode.window.showInformationMessage(m, ...a),
    warn: (m, ...a) => vscode.window.showWarningMessage(m, ...a),
    error: (m, ...a) => vscode.window.showErrorMessage(m, ...a),
    engineError: (e) => reportError(e),
  };
}
