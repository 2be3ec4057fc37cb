/**
 * Turns engine failures into one notification with the fix as a button. Typing-time callers pass `quiet`, and
 * then the same problem is shown once per ten minutes at most instead of once per keystroke.
 */
import * as vscode from 'vscode';
import { EngineError, isCancelled, isModelFileError } from '../common/errors';

const QUIET_REPEAT_MS = 10 * 60_000;

export interface ShownMessage {
  message: string;
  actions: string[];
}

/** Each notification button and the command (with arguments) it runs. */
const ACTION_COMMANDS: Record<string, [string, ...unknown[]]> = {
  'Choose Model…': ['hearth.chooseModel'],
  'Get Started': ['workbench.action.openWalkthrough', 'hearth-dev.hearth#hearth.welcome', false],
  'Select Model File…': ['hearth.selectModel'],
  'Restart Engine': ['hearth.restartEngine'],
  'Show Log': ['hearth.showLog'],
  'Set Remote API Key': ['hearth.setRemoteApiKey'],
  'Open Settings': ['workbench.action.openSettings', 'hearth.remote'],
};

export class ErrorReporter {
  private readonly lastShown = new Map<string, number>();
  /** The last 50 messages shown, newest last: tests assert on it since notifications are hard to read from a test. */
  readonly shown: ShownMessage[] = [];
  /**
   * Every message ever shown, counted: a test's mark before it acts. `shown.length` is no mark once the list is full
   * (a push and a shift leave it at 50, so whatever came after the mark looked like nothing).
   */
  shownTotal = 0;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** A warning that is no request's failure (the model file changed on disk): shown once, with the log at hand. */
  notice(detail: string): void {
    const message = `Hearth: ${detail}`;
    this.record({ message, actions: ['Show Log'] });
    void vscode.window.showWarningMessage(message, 'Show Log').then((choice) => {
      if (choice) void vscode.commands.executeCommand(...ACTION_COMMANDS[choice]);
    });
  }

  /** The messages shown since `mark` (an earlier `shownTotal`), as far as the last 50 reach back. */
  shownSince(mark: number): ShownMessage[] {
    const first = this.shownTotal - this.shown.length;
    return this.shown.slice(Math.max(0, mark - first));
  }

  private record(shown: ShownMessage): void {
    this.shownTotal++;
    this.shown.push(shown);
    if (this.shown.length > 50) this.shown.shift();
  }

  report(error: unknown, options: { quiet?: boolean } = {}): void {
    if (isCancelled(error)) return;
    const code = error instanceof EngineError ? error.code : 'INTERNAL';
    const detail = error instanceof Error ? error.message : String(error);
    this.log.error(detail);
    const key = `${code}:${detail}`;
    const now = Date.now();
    if (options.quiet && now - (this.lastShown.get(key) ?? -Infinity) < QUIET_REPEAT_MS) return;
    this.lastShown.set(key, now);

    // No model yet is the first run, not a failure: one friendly message that leads to the fix.
    const firstRun = code === 'NO_MODEL';
    const actions: string[] = [];
    if (isModelFileError(code)) actions.push('Choose Model…');
    if (firstRun) actions.push('Get Started');
    else if (isModelFileError(code)) actions.push('Select Model File…');
    if (code === 'WORKER_CRASHED') actions.push('Restart Engine');
    if (code === 'REMOTE_AUTH') actions.push('Set Remote API Key');
    if (code === 'REMOTE_CONFIG' || code === 'REMOTE_MODEL' || code === 'REMOTE_UNREACHABLE') actions.push('Open Settings');
    if (!firstRun) actions.push('Show Log');
    const message = `Hearth: ${detail}`;
    this.record({ message, actions });
    const show = firstRun ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
    void show(message, ...actions).then((choice) => {
      const command = choice && ACTION_COMMANDS[choice];
      if (command) void vscode.commands.executeCommand(...command);
    });
  }
}
