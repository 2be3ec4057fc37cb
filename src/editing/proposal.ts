/**
 * One proposal's state: the snapshot it was made on, the text streamed so far, and the decision once made.
 * No `vscode` here (URIs are only carried), so the service around it owns every editor side effect.
 */
import type * as vscode from 'vscode';
import type { ProposalInfo, ProposalOutcome, ProposalState, ProposeOptions } from '../common/editing';
import { toEol, type Eol } from '../common/text';
import { spliceText } from './locate';

const STREAM_REFRESH_MS = 80;

export interface ProposalSetup {
  id: string;
  options: ProposeOptions;
  /** The document's line ending: proposals use it, so the diff shows no phantom whole-line changes on CRLF files. */
  eol: Eol;
  /** The whole document when the proposal was made: the diff's left side. */
  snapshot: string;
  /** Where the original text began in `snapshot`. */
  startOffset: number;
  originalUri: vscode.Uri;
  proposedUri: vscode.Uri;
  /** The diff's documents or lenses need redrawing (at most every 80 ms while streaming). */
  onRefresh(proposal: Proposal): void;
}

export class Proposal {
  state: ProposalState = 'streaming';
  text = '';
  /** Set once the diff tab has been seen open, so its closing can count as a rejection. */
  diffOpened = false;
  readonly done: Promise<ProposalOutcome>;
  private raw = '';
  private settled = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private resolveDone!: (outcome: ProposalOutcome) => void;

  constructor(private readonly setup: ProposalSetup) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get id(): string { return this.setup.id; }
  get options(): ProposeOptions { return this.setup.options; }
  get eol(): Eol { return this.setup.eol; }
  get snapshot(): string { return this.setup.snapshot; }
  get startOffset(): number { return this.setup.startOffset; }
  get originalUri(): vscode.Uri { return this.setup.originalUri; }
  get proposedUri(): vscode.Uri { return this.setup.proposedUri; }
  get settledYet(): boolean { return this.settled; }

  /** The original text in the document's line endings: what Accept looks for. */
  originalText(): string {
    return toEol(this.options.original, this.eol);
  }

  /** The right side of the diff: the snapshot with the proposal in place of the original. */
  proposedDocument(): string {
    // Until the model has produced something visible, show no change rather than a deleted block.
    if (this.text.length === 0 && this.state === 'streaming') return this.snapshot;
    return spliceText(this.snapshot, { start: this.startOffset, end: this.startOffset + this.options.original.length }, this.text);
  }

  /** Line of the proposed document where the change starts: where the CodeLens goes. */
  changeLine(): number {
    let line = 0;
    for (let i = 0; i < this.startOffset; i++) if (this.snapshot.charCodeAt(i) === 10) line++;
    return line;
  }

  info(): ProposalInfo {
    return { id: this.id, uri: this.options.uri, proposedUri: this.proposedUri, title: this.options.title, state: this.state, text: this.text };
  }

  append(piece: string): void {
    this.raw = this.options.snapshots ? piece : this.raw + piece;
    this.text = this.clean(false);
    this.scheduleRefresh();
  }

  finishStream(): void {
    this.text = this.clean(true);
    this.state = 'ready';
    this.refreshNow();
  }

  private clean(final: boolean): string {
    const shown = this.options.transform ? this.options.transform(this.raw, final) : this.raw;
    return toEol(shown, this.eol);
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => this.refreshNow(), STREAM_REFRESH_MS);
  }

  refreshNow(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    this.setup.onRefresh(this);
  }

  /** Marks the decision; `resolve` reports it once the diff is gone, so callers see a tidy editor. */
  settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    return true;
  }

  resolve(outcome: ProposalOutcome): void {
    this.resolveDone(outcome);
  }
}
