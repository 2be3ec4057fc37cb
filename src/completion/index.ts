/**
 * Inline completions: the wiring. The pipeline (cache, debounce, prompt, newest-wins requests, post-processing)
 * is controller.ts, shared with the benchmark; the units here turn VS Code into its inputs: settings
 * (configuration.ts), a snooze, the context feed, the provider and the commands, with the status bar showing them.
 */
import * as vscode from 'vscode';
import type { HearthServices } from '../common/services';
import { registerCompletionCommands } from './commands';
import { CompletionConfiguration } from './configuration';
import { ContextFeed } from './contextFeed';
import { CompletionController } from './controller';
import type { CompletionCounters } from './counters';
import { completesIn } from './gate';
import { CompletionProvider } from './provider';
import type { CompletionSettings } from './settings';
import type { ShownEntry } from './shownLog';
import { Snooze } from './snooze';
import { CompletionStatusBar } from './statusBar';

export interface CompletionApi {
  provider: vscode.InlineCompletionItemProvider;
  controller: CompletionController;
  readonly counters: CompletionCounters;
  /** Every suggestion handed to VS Code, with the document version it was computed for and the version then. */
  readonly shownLog: readonly ShownEntry[];
  settings(): CompletionSettings;
  /** Until when completions are snoozed (ms since epoch), if they are. */
  readonly snoozedUntil: number | undefined;
}

export function registerCompletion(services: HearthServices): { disposables: vscode.Disposable[]; api: CompletionApi } {
  const { engine, log, context } = services;
  const config = new CompletionConfiguration();
  const settings = () => config.current;
  const controller = new CompletionController({
    engine,
    settings,
    reportError: (error) => services.reportError(error, { quiet: true }),
    log: (m) => log.debug(m),
  });
  const snooze = new Snooze(context.globalState, (until) => {
    if (until !== undefined) controller.cancelAll();
    status.refresh();
  });
  const status = new CompletionStatusBar({ engine, controller, settings, snoozedUntil: () => snooze.until });
  const isActive = (document: vscode.TextDocument | undefined) => completesIn(settings(), snooze.active, document);
  const feed = new ContextFeed({ controller, settings, isActive, onWarmed: () => status.refresh() });
  const provider = new CompletionProvider({
    controller, isActive, onRequest: () => feed.sampleClipboard(), onAnswered: () => status.refresh(), log,
  });

  const disposables: vscode.Disposable[] = [
    status,
    config,
    vscode.languages.registerInlineCompletionItemProvider(
      [{ pattern: '**' }, { scheme: 'untitled' }, { scheme: 'vscode-notebook-cell' }],
      provider,
    ),
    feed,
    config.onDidChange((s) => {
      if (!s.enabled) controller.cancelAll();
      if (!s.extraContext) controller.ring.clear();
      status.refresh();
    }),
    snooze,
    { dispose: () => controller.cancelAll() },
    ...registerCompletionCommands({ controller, config, snooze, isActive }),
  ];
  snooze.resume();
  status.refresh();

  const api: CompletionApi = {
    provider,
    controller,
    get counters() {
      return controller.counters;
    },
    shownLog: provider.shownLog,
    settings,
    get snoozedUntil() {
      return snooze.until;
    },
  };
  return { disposables, api };
}
