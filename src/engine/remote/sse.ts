/**
 * Server-sent events as OpenAI-compatible servers stream them (the WHATWG EventSource rules, the parts these
 * servers use): `data:` lines, joined with "\n" until a blank line ends the event; `:` comment lines (llama-server's
 * keep-alive pings) and other fields ignored; LF, CRLF or CR line ends, split anywhere across network chunks.
 * Pure, so the edge cases are tested without a server.
 */

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  /** A CR ended the last chunk: an LF starting the next one belongs to it. */
  private pendingCr = false;

  /** Feeds decoded text; returns the data of every event it completed. */
  push(text: string): string[] {
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const events: string[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone CR at the very end may be the first half of a CRLF split across chunks.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) {
        this.pendingCr = true;
      }
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line, events);
    }
    return events;
  }

  /** The stream ended: an event not closed by a blank line is incomplete (EventSource drops it too). */
  get incomplete(): boolean {
    return this.data.length > 0 || this.buffer.length > 0;
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.data.length > 0) events.push(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.data.push(value);
  }
}
