/**
 * The editing service as capabilities see it: propose a replacement as a diff the user accepts or rejects, and
 * the one notifier every editing flow speaks through. Implemented once in `src/editing/`, created in
 * `activate()` and handed over in `HearthServices.editing`; the selection actions and the chat's "Apply to
 * Selection" share it, so their proposals, buttons and messages are the same.
 */
import type * as vscode from 'vscode';

/** The URI scheme of the diff's two virtual documents (package.json's `when` clauses name it too). */
export const PROPOSAL_SCHEME = 'hearth-proposal';

export type ProposalOutcome = 'accepted' | 'rejected' | 'conflict';
export type ProposalState = 'streaming' | 'ready';

export interface ProposeArgs {
  uri: vscode.Uri;
  range: vscode.Range;
  original: string;
  /** The whole text, or a stream of pieces appended in order (model output as it arrives). */
  proposed: string | AsyncIterable<string>;
  title: string;
}

export interface ProposeOptions extends ProposeArgs {
  /** Turns the raw text received so far into what is shown and applied (output cleaning); `final` at the end. */
  transform?: (raw: string, final: boolean) => string;
  /** Each streamed item is the whole text so far (already cleaned by the producer) instead of an appended piece. */
  snapshots?: boolean;
  /** Called when the user rejects while the stream is still running, so the producer can stop the model. */
  onRejectWhileStreaming?: () => void;
}

/** What tests and other capabilities can see of a pending proposal. */
export interface ProposalInfo {
  id: string;
  uri: vscode.Uri;
  proposedUri: vscode.Uri;
  title: string;
  state: ProposalState;
  /** Cleaned proposal text so far. */
  text: string;
}

/**
 * Every message an editing flow shows goes through one small object, so integration tests can capture what the
 * user would have seen (and answer its buttons) instead of racing real notifications.
 */
export interface Notify {
  info(message: string, ...actions: string[]): PromiseLike<string | undefined>;
  warn(message: string, ...actions: string[]): PromiseLike<string | undefined>;
  error(message: string, ...actions: string[]): PromiseLike<string | undefined>;
  /** Engine failures (missing model, crash, …): the shared reporter knows the fix for each code. */
  engineError(error: unknown): void;
}

export interface Editing {
  /** Shared by the proposals and the capabilities that propose; tests replace its methods to capture messages. */
  readonly notify: Notify;
  /**
   * Shows `proposed` as a replacement for `range` of `uri` in a diff and resolves with the user's decision:
   * 'accepted' (applied as one WorkspaceEdit), 'rejected' (nothing changed; also when the diff is closed or the
   * stream is cancelled), or 'conflict' (the original text was edited meanwhile and could not be found, so
   * nothing was applied). A stream that fails with anything other than a cancellation rejects the promise after
   * closing the diff. A proposal identical to the original, or empty, resolves 'rejected' with a message.
   */
  propose(options: ProposeOptions): Promise<ProposalOutcome>;
  /** Pending proposals, oldest first (tests wait on these; the chat panel may show them). */
  pending(): ProposalInfo[];
  onDidChange(listener: () => void): vscode.Disposable;
}
