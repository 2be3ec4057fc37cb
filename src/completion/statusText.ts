/** What the completion status bar item says: what completions are doing right now and how long the last one took. */
import type { EngineState } from '../common/engine';
import type { Phase } from './controller';

export interface StatusInput {
  enabled: boolean;
  languageEnabled: boolean;
  languageId?: string;
  snoozedUntil?: number;
  phase: Phase;
  engine: EngineState;
  lastLatencyMs?: number;
}

export function statusText(s: StatusInput, now = Date.now()): { text: string; tooltip: string } {
  if (!s.enabled) return { text: '$(circle-slash) Hearth', tooltip: 'Hearth completions are off. Click to turn them on or snooze.' };
  if (s.snoozedUntil !== undefined && s.snoozedUntil > now) {
    const minutes = Math.ceil((s.snoozedUntil - now) / 60_000);
    return { text: `$(clock) Hearth ${minutes} min`, tooltip: `Hearth completions are snoozed for ${minutes} more minute(s).` };
  }
  if (!s.languageEnabled) return { text: '$(circle-slash) Hearth', tooltip: `Hearth completions are off for ${s.languageId}.` };
  if (s.engine.kind === 'noModel') return { text: '$(warning) Hearth', tooltip: 'No model chosen: run "Hearth: Choose Model…".' };
  if (s.engine.kind === 'error') return { text: '$(warning) Hearth', tooltip: `Hearth: ${s.engine.message ?? 'the engine failed'}` };
  if (s.phase === 'loading' || s.engine.kind === 'loading') return { text: '$(loading~spin) Hearth', tooltip: `Loading ${s.engine.modelName ?? 'the model'}…` };
  if (s.phase === 'generating') return { text: '$(loading~spin) Hearth', tooltip: 'Hearth is generating a completion.' };
  const latency = s.lastLatencyMs !== undefined ? ` ${Math.round(s.lastLatencyMs)} ms` : '';
  return { text: `$(sparkle) Hearth${latency}`, tooltip: `Hearth completions are on${latency ? `; last suggestion took${latency}` : ''}. Click for options.` };
}
