/**
 * Copied text as extra context. VS Code has no copy event, so the glue reads the clipboard when a completion is
 * asked for, at most every few seconds; this decides when to read and which reads are new. No `vscode` here.
 */

const POLL_MS = 2000;
/** Larger copies are data or whole files, not a snippet about to be used. */
const MAX_CHARS = 20_000;

export class ClipboardSampler {
  private lastRead = 0;
  private lastText = '';

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether it is time to read the clipboard again; true counts as a read. */
  due(): boolean {
    if (this.now() - this.lastRead < POLL_MS) return false;
    this.lastRead = this.now();
    return true;
  }

  /** The text just read, if it is a new copy worth a context chunk. */
  take(text: string): string | undefined {
    if (text === this.lastText) return undefined;
    this.lastText = text;
    return text.length <= MAX_CHARS ? text : undefined;
  }
}
