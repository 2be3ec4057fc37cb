/**
 * The webviews showing the chat (the sidebar and an editor tab can both be open): each gets every message, one
 * that fails to take it does not stop the others, and bursts of changes are coalesced into one state per tick,
 * built only when some view is attached.
 */
import { type Disposable, Emitter } from '../common/emitter';
import type { HostToWebview, ViewState } from './messages';

export interface ChatView {
  post(message: HostToWebview): void;
}

export class AttachedViews {
  private readonly views: Emitter<HostToWebview>;
  private stateQueued = false;
  private disposed = false;

  constructor(
    private readonly state: () => ViewState,
    log?: (message: string) => void,
  ) {
    this.views = new Emitter((error) => log?.(`chat: could not post to a view: ${error}`));
  }

  attach(view: ChatView): Disposable {
    return this.views.event((message) => view.post(message));
  }

  post(message: HostToWebview): void {
    this.views.fire(message);
  }

  postState(): void {
    if (this.views.size === 0) return;
    this.post({ type: 'state', state: this.state() });
  }

  /** Posts the state once, after the current burst of changes. */
  queueState(): void {
    if (this.stateQueued) return;
    this.stateQueued = true;
    queueMicrotask(() => {
      this.stateQueued = false;
      if (!this.disposed) this.postState();
    });
  }

  dispose(): void {
    this.disposed = true;
    this.views.dispose();
  }
}
