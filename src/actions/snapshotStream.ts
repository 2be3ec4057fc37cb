/** Snapshots of the cleaned proposal, consumed by the diff as they arrive (the latest one wins). */
export class SnapshotStream implements AsyncIterable<string> {
  private latest: string | undefined;
  private ended = false;
  private error: unknown;
  private wake: (() => void) | undefined;

  push(snapshot: string): void {
    this.latest = snapshot;
    this.signal();
  }

  end(): void {
    this.ended = true;
    this.signal();
  }

  fail(error: unknown): void {
    this.error = error ?? new Error('failed');
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      if (this.error !== undefined) throw this.error;
      if (this.latest !== undefined) {
        const value = this.latest;
        this.latest = undefined;
        yield value;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
