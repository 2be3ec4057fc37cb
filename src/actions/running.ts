/** The actions generating right now, each with the controller that cancels it (the progress Cancel, `cancelRunning`). */
export class RunningActions {
  private readonly controllers = new Set<AbortController>();

  start(): AbortController {
    const controller = new AbortController();
    this.controllers.add(controller);
    return controller;
  }

  end(controller: AbortController): void {
    this.controllers.delete(controller);
  }

  get size(): number {
    return this.controllers.size;
  }

  /** Cancels every running action; returns how many there were. */
  cancelAll(): number {
    const count = this.controllers.size;
    for (const controller of this.controllers) controller.abort();
    return count;
  }
}
