/** The completion status bar item, refreshed when the engine, the pipeline's phase or the active editor changes. */
import * as vscode from 'vscode';
import type { InferenceEngine } from '../common/engine';
import type { CompletionController } from './controller';
import { languageEnabled, type CompletionSettings } from './settings';
import { statusText } from './statusText';

export interface StatusSources {
  engine: InferenceEngine;
  controller: CompletionController;
  settings: () => CompletionSettings;
  snoozedUntil: () => number | undefined;
}

export class CompletionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hearth.completion', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly sources: StatusSources) {
    this.item.name = 'Hearth Completions';
    this.item.command = 'hearth.completion.menu';
    this.item.show();
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      sources.engine.onDidChangeState(() => this.refresh()),
      sources.controller.onDidChangePhase(() => this.refresh()),
    ];
  }

  refresh(): void {
    const { engine, controller } = this.sources;
    const settings = this.sources.settings();
    const doc = vscode.window.activeTextEditor?.document;
    const { text, tooltip } = statusText({
      enabled: settings.enabled,
      languageEnabled: doc ? languageEnabled(settings, doc.languageId) : true,
      languageId: doc?.languageId,
      snoozedUntil: this.sources.snoozedUntil(),
      phase: controller.phase,
      engine: engine.state,
      lastLatencyMs: controller.lastLatencyMs,
    });
    this.item.text = text;
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
