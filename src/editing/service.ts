/**
 * Proposed replacements for a range of a document, shown as a diff the user accepts or rejects.
 *
 * Why a full-file diff of two read-only virtual documents (snapshot vs snapshot-with-proposal) rather than an
 * inline decoration or editing the real file: the user's document is never touched until Accept, so Reject (or
 * closing the tab, or cancelling) leaves it byte-identical with no undo history; the diff editor is the view
 * users already know from source control, shows the surrounding code, and works the same in desktop and browser.
 * Accept/Reject sit where a diff's actions live (editor title ✓ and ✗ buttons), on a notification that says the
 * proposal is ready, and as a CodeLens above the change for users who enable `diffEditor.codeLens` (VS Code hides
 * CodeLens in diffs by default). Accept applies one WorkspaceEdit, so a single undo reverts it.
 *
 * One instance, created in `activate()`: the diff's documents, buttons and commands exist once however many
 * callers (the selection actions, the chat panel's "Apply to Selection") propose.
 */
import * as vscode from 'vscode';
import type { Editing, Notify, ProposalInfo, ProposalOutcome, ProposeOptions } from '../common/editing';
import { isCancelled } from '../common/errors';
import { registerProposalCommands } from './commands';
import { closeDiff, diffUris, openDiff, proposalId, registerDiffDocuments } from './diffView';
import { locateOriginal } from './locate';
import { Proposal } from './proposal';

export class EditingService implements Editing, vscode.Disposable {
  private readonly proposals = new Map<string, Proposal>();
  private readonly contentChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly registrations: vscode.Disposable[];
  private nextId = 1;

  /** `notify` speaks for every editing flow; the actions expose it so tests can capture what the user sees. */
  constructor(readonly notify: Notify) {
    const lookup = (uri: vscode.Uri) => this.proposals.get(proposalId(uri) ?? '');
    this.registrations = [
      ...registerDiffDocuments(lookup, this.contentChanged.event, this.lensesChanged.event),
      ...registerProposalCommands({
        lookup,
        byId: (id) => this.proposals.get(id),
        newest: () => [...this.proposals.values()].pop(),
        accept: (proposal) => this.accept(proposal),
        reject: (proposal) => this.finish(proposal, 'rejected'),
      }),
    ];
  }

  pending(): ProposalInfo[] {
    return [...this.proposals.values()].map((p) => p.info());
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.changed.event(listener);
  }

  async propose(options: ProposeOptions): Promise<ProposalOutcome> {
    const document = await vscode.workspace.openTextDocument(options.uri);
    const id = String(this.nextId++);
    const { name, originalUri, proposedUri } = diffUris(id, options.uri);
    const proposal = new Proposal({
      id,
      options,
      eol: document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
      snapshot: document.getText(),
      startOffset: document.offsetAt(options.range.start),
      originalUri,
      proposedUri,
      onRefresh: (p) => {
        this.contentChanged.fire(p.proposedUri);
        this.lensesChanged.fire();
      },
    });
    this.proposals.set(id, proposal);
    this.pendingChanged();

    const consuming = this.consume(proposal, options.proposed);
    // Awaited below; this only keeps an early failure from being reported as unhandled meanwhile.
    consuming.catch(() => undefined);
    try {
      await openDiff(proposal, document, name);
    } catch (error) {
      await this.finish(proposal, 'rejected');
      throw error;
    }
    await consuming;
    return proposal.done;
  }

  private pendingChanged(): void {
    void vscode.commands.executeCommand('setContext', 'hearth.proposalPending', this.proposals.size > 0);
    this.changed.fire();
  }

  private async consume(proposal: Proposal, proposed: string | AsyncIterable<string>): Promise<void> {
    try {
      if (typeof proposed === 'string') {
        proposal.append(proposed);
      } else {
        for await (const piece of proposed) {
          if (proposal.settledYet) return;
          proposal.append(piece);
        }
      }
    } catch (error) {
      await this.finish(proposal, 'rejected');
      if (isCancelled(error)) return;
      throw error;
    }
    if (proposal.settledYet) return;
    proposal.finishStream();
    if (proposal.text.trim().length === 0 || proposal.text === proposal.originalText()) {
      await this.finish(proposal, 'rejected');
      void this.notify.info(
        proposal.text.trim().length === 0 ? 'The model proposed nothing; the text is unchanged.' : 'The model proposed no change.',
      );
      return;
    }
    void this.notify.info(`Hearth: the ${proposal.options.title} proposal is ready.`, 'Accept', 'Reject').then((choice) => {
      if (choice === 'Accept') void this.accept(proposal);
      else if (choice === 'Reject') void this.finish(proposal, 'rejected');
    });
  }

  private async accept(proposal: Proposal): Promise<ProposalOutcome | undefined> {
    if (proposal.settledYet) return undefined;
    if (proposal.state === 'streaming') {
      void this.notify.info('Hearth is still writing this proposal. Wait for it to finish, or cancel it.');
      return undefined;
    }
    const { uri } = proposal.options;
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(uri);
    } catch {
      void this.notify.warn(`Hearth could not apply the proposal: ${uri.fsPath || uri.toString()} is no longer available.`);
      return this.finish(proposal, 'conflict');
    }
    // Unchanged document: the recorded offset; otherwise the nearest copy of the original text, if it survived.
    const found = locateOriginal(document.getText(), proposal.originalText(), proposal.startOffset);
    if (!found) {
      void this.notify.warn(
        'The text this proposal replaces was edited while Hearth was working, so it was not applied and your edits are kept. Run the action again on the new text.',
      );
      return this.finish(proposal, 'conflict');
    }
    const range = new vscode.Range(document.positionAt(found.start), document.positionAt(found.end));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, range, proposal.text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      void this.notify.error('Hearth could not apply the proposal: the editor refused the change (is the file read-only?).');
      return this.finish(proposal, 'conflict');
    }
    const outcome = await this.finish(proposal, 'accepted');
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    if (editor) {
      const start = document.positionAt(found.start);
      const end = document.positionAt(found.start + proposal.text.length);
      editor.selection = new vscode.Selection(start, end);
      editor.revealRange(new vscode.Range(start, end));
    }
    return outcome;
  }

  private async finish(proposal: Proposal, outcome: ProposalOutcome): Promise<ProposalOutcome> {
    if (!proposal.settle()) return outcome;
    if (outcome !== 'accepted' && proposal.state === 'streaming') proposal.options.onRejectWhileStreaming?.();
    this.lensesChanged.fire();
    try {
      await closeDiff(proposal);
    } finally {
      this.proposals.delete(proposal.id);
      this.pendingChanged();
      proposal.resolve(outcome);
    }
    return outcome;
  }

  dispose(): void {
    for (const proposal of [...this.proposals.values()]) void this.finish(proposal, 'rejected');
    for (const registration of this.registrations) registration.dispose();
    this.contentChanged.dispose();
    this.lensesChanged.dispose();
    this.changed.dispose();
  }
}
