/**
 * Completions come first: while a completion the user waits for is running (in this worker, or in the other
 * job's worker, as the host reports), chat and action generations pause between prompt slices and tokens.
 */
export class Priority {
  private local = 0;
  private remote = false;
  private waiters: Array<() => void> = [];

  get busy(): boolean {
    return this.local > 0 || this.remote;
  }

  /** A foreground completion starts; the returned function ends it (idempotent). */
  begin(): () => void {
    this.local++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.local--;
      this.release();
    };
  }

  /** The other job's worker runs a completion (told by the host). */
  setRemote(busy: boolean): void {
    this.remote = busy;
    this.release();
  }

  /** Resolves when no completion is running; at once when none is. */
  readonly wait = (): Promise<void> => (this.busy ? new Promise((resolve) => this.waiters.push(resolve)) : Promise.resolve());

  private release(): void {
    if (this.busy) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}
