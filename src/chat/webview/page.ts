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
  /**
   * Whether this page has had a state from the host since it loaded. Until then `state` is the one saved before a
   * reload, which may still say an answer is running (a reload in the middle of one), so it cannot refuse a send.
   */
  live?: boolean;
  /** Enter was pressed before the host's first state: send when it comes, if the host is not busy. */
  queued?: boolean;
}

/**
 * What Enter does with the draft: send it, keep it for the host's first state (the page is not live yet), or
 * nothing (an empty draft, or an answer running). The draft stays in the input unless it is sent.
 */
export function submitAction(page: PageState, draft: string): 'send' | 'queue' | 'ignore' {
  if (!draft.trim()) return 'ignore';
  if (!page.live) return 'queue';
  return page.state?.busy ? 'ignore' : 'send';
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
