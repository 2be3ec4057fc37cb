/** The status bar item that always says what the engine is doing; clicking it offers the next useful step. */
import * as vscode from 'vscode';
import type { EngineState, InferenceEngine } from '../common/engine';
import { isModelFileError } from '../common/errors';

export function describeState(state: EngineState): { text: string; tooltip: string; command: string; error: boolean } {
  const model = state.modelName ?? 'the model';
  switch (state.kind) {
    case 'noModel':
      return { text: '$(circle-slash) Hearth: no model', tooltip: 'Hearth has no model yet. Click to choose a .gguf model file.', command: 'hearth.selectModel', error: false };
    case 'idle':
      return { text: '$(circle-outline) Hearth', tooltip: `Hearth: ${model} is not loaded; it loads on first use.`, command: 'hearth.showLog', error: false };
    case 'loading':
      return { text: `$(loading~spin) Hearth: loading ${model}`, tooltip: `Hearth is loading ${model}…`, command: 'hearth.showLog', error: false };
    case 'ready':
      return { text: '$(check) Hearth', tooltip: `Hearth: ${model} is ready.`, command: 'hearth.showLog', error: false };
    case 'generating':
      return { text: '$(sync~spin) Hearth', tooltip: `Hearth: ${model} is generating…`, command: 'hearth.showLog', error: false };
    case 'error':
      return {
        text: '$(error) Hearth',
        tooltip: `Hearth: ${state.message ?? 'the engine failed'} — click for the fix.`,
        command: isModelFileError(state.code) ? 'hearth.selectModel' : 'hearth.showLog',
        error: true,
      };
  }
}

export class EngineStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: { dispose(): void };

  constructor(engine: InferenceEngine) {
    this.item = vscode.window.createStatusBarItem('hearth.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Hearth';
    this.render(engine.state);
    this.item.show();
    this.subscription = engine.onDidChangeState((s) => this.render(s));
  }

  /** The text shown now; integration tests read it to follow the state walk. */
  get text(): string {
    return this.item.text;
  }

  private render(state: EngineState) {
    const d = describeState(state);
    this.item.text = d.text;
    this.item.tooltip = d.tooltip;
    this.item.command = d.command;
    this.item.accessibilityInformation = { label: d.tooltip, role: 'button' };
    this.item.backgroundColor = d.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose() {
    this.subscription.dispose();
    this.item.dispose();
  }
}
