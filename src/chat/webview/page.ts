/**
 * The webview's own state: the last state the host sent, and what only the page knows (the draft, whether the
 * last question is being edited, whether the history panel is open). The draft, the edit mode and the host's
 * state survive the view being hidden through VS Code's getState/setState; a restored state is validated like
 * a posted one.
 */
import { parseHostMessage, type ViewState, type WebviewToHost } from '../messages';

export interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export interface SavedState {
  draft: string;
  editing: boolean;
  state?: ViewState;
}

export interface PageState {
  state: ViewState | undefined;
  editing: boolean;
  historyOpen: boolean;
}

export function readSaved(value: unknown): SavedState {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<SavedState>;
  const restored = v.state ? parseHostMessage({ type: 'state', state: v.state }) : undefined;
  return {
    draft: typeof v.draft === 'string' ? v.draft : '',
    editing: v.editing === true,
    state: restored?.type === 'state' ? restored.state : undefined,
  };
}
