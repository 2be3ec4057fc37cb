/**
 * Snoozing pauses completions until a moment. The moment is kept in the extension's global state so a reload
 * does not end it, and a timer ends it on time. No `vscode` here: the store is globalState in the extension.
 */

/** The part of vscode.Memento the snooze uses. */
export interface SnoozeStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): unknown;
}

const STORE_KEY = 'hearth.completion.snoozedUntil';

export class Snooze {
  private untilMs: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `onChange` runs after every start or end, the timer's included. */
  constructor(
    private readonly store: SnoozeStore,
    private readonly onChange: (until: number | undefined) => void,
    private readonly now: () => number = Date.now,
  ) {
    const saved = store.get<number>(STORE_KEY);
    this.untilMs = saved !== undefined && saved > now() ? saved : undefined;
  }

  /** Until when completions are snoozed (ms since epoch), if they are. */
  get until(): number | undefined {
    return this.untilMs;
  }

  get active(): boolean {
    return this.untilMs !== undefined && this.untilMs > this.now();
  }

  /** Re-arms the timer for a snooze an earlier window saved; called once the listeners are in place. */
  resume(): void {
    if (this.untilMs !== undefined) this.set(this.untilMs);
  }

  /** Snooze for `minutes` from now; 0 resumes at once. */
  snoozeFor(minutes: number): void {
    this.set(minutes > 0 ? this.now() + minutes * 60_000 : undefined);
  }

  set(until: number | undefined): void {
    this.untilMs = until;
    void this.store.update(STORE_KEY, until);
    if (this.timer) clearTimeout(this.timer);
    if (until !== undefined) this.timer = setTimeout(() => this.set(undefined), Math.max(0, until - this.now()));
    this.onChange(until);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
