/**
 * Runs a task once the user has been idle for a while, and aborts it as soon as they are active again: the
 * context warm-up must never compete with the request for the next keystroke. No `vscode` here.
 */

export class IdleTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: AbortController | undefined;

  constructor(private readonly delayMs: number, private readonly task: (signal: AbortSignal) => void) {}

  /** Activity: abort the task if it runs and start counting again. */
  restart(): void {
    this.running?.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = new AbortController();
      this.task(this.running.signal);
    }, this.delayMs);
  }

  /** Forget a task not started yet; one already running goes on (its work is still useful). */
  cancelPending(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.running?.abort();
  }
}
