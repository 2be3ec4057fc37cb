/**
 * A proposed replacement for a range of a document, shown as a diff the user accepts or rejects.
 *
 * Why a full-file diff of two read-only virtual documents (snapshot vs snapshot-with-proposal) rather than an
 * inline decoration or editing the real file: the user's document is never touched until Accept, so Reject (or
 * closing the tab, or cancelling) leaves it byte-identical with no undo history; the diff editor is the view
 * users already know from source control, shows the surrounding code, and works the same in desktop and browser.
 * Accept/Reject sit where a diff's actions live (editor title ✓ and ✗ buttons), on a notification that says the
 * proposal is ready, and as a CodeLens above the change for users who enable `diffEditor.codeLens` (VS Code hides
 * CodeLens in diffs by default). Accept applies one WorkspaceEdit, so a single undo reverts it.
 *
 * Used by the selection actions and by the chat panel's "Apply to Selection".
 */
import * as vscode from 'vscode';
import { isCancelled } from '../common/errors';
import { locateOriginal, spliceText } from './locate';
import type { Notify } from './notify';

export type ProposalOutcome = 'accepted' | 'rejected' | 'conflict';
export type ProposalState = 'streaming' | 'ready';

export const PROPOSAL_SCHEME = 'hearth-proposal';

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

let notifyImpl: Notify = {
  info: (m, ...a) => vscode.window.showInformationMessage(m, ...a),
  warn: (m, ...a) => vscode.window.showWarningMessage(m, ...a),
  error: (m, ...a) => vscode.window.showErrorMessage(m, ...a),
  engineError: () => undefined,
};

/** The actions capability routes proposal messages through its own (test-capturable) notifier. */
export function setProposalNotify(notify: Notify): void {
  notifyImpl = notify;
}

const STREAM_REFRESH_MS = 80;

class Proposal {
  state: ProposalState = 'streaming';
  text = '';
  private raw = '';
  private settled = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  readonly done: Promise<ProposalOutcome>;
  private resolveDone!: (outcome: ProposalOutcome) => void;
  /** Set once the diff tab has been seen open, so its closing can count as a rejection. */
  diffOpened = false;

  constructor(
    readonly id: string,
    readonly options: ProposeOptions,
    readonly documentVersion: number,
    readonly eol: string,
    readonly snapshot: string,
    readonly startOffset: number,
    readonly originalUri: vscode.Uri,
    readonly proposedUri: vscode.Uri,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get settledYet(): boolean {
    return this.settled;
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
    // The document's own line endings, so the diff shows no phantom whole-line changes on CRLF files.
    return shown.replace(/\r\n|\r|\n/g, this.eol);
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => this.refreshNow(), STREAM_REFRESH_MS);
  }

  refreshNow(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    registry.contentChanged.fire(this.proposedUri);
    registry.lensesChanged.fire();
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

/** Process-wide: the diff's documents, buttons and commands exist once however many callers propose. */
const registry = {
  proposals: new Map<string, Proposal>(),
  contentChanged: new vscode.EventEmitter<vscode.Uri>(),
  lensesChanged: new vscode.EventEmitter<void>(),
  changeListeners: new Set<() => void>(),
  registered: undefined as vscode.Disposable | undefined,
  nextId: 1,
};

function proposalForUri(uri: vscode.Uri): Proposal | undefined {
  if (uri.scheme !== PROPOSAL_SCHEME) return undefined;
  const id = uri.path.split('/')[1];
  return registry.proposals.get(id);
}

function notifyListeners(): void {
  void vscode.commands.executeCommand('setContext', 'hearth.proposalPending', registry.proposals.size > 0);
  for (const listener of registry.changeListeners) listener();
}

/**
 * Registers the diff documents, CodeLens and the accept/reject commands. Idempotent; `proposeReplacement`
 * calls it too, so a caller never depends on registration order.
 */
export function registerProposals(): vscode.Disposable {
  if (registry.registered) return registry.registered;
  const subscriptions: vscode.Disposable[] = [
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, {
      onDidChange: registry.contentChanged.event,
      provideTextDocumentContent(uri) {
        const proposal = proposalForUri(uri);
        if (!proposal) return '';
        return uri.path.split('/')[2] === 'original' ? proposal.snapshot : proposal.proposedDocument();
      },
    }),
    vscode.languages.registerCodeLensProvider(
      { scheme: PROPOSAL_SCHEME },
      {
        onDidChangeCodeLenses: registry.lensesChanged.event,
        provideCodeLenses(document) {
          const proposal = proposalForUri(document.uri);
          if (!proposal || proposal.settledYet || document.uri.toString() !== proposal.proposedUri.toString()) return [];
          const at = new vscode.Range(proposal.changeLine(), 0, proposal.changeLine(), 0);
          if (proposal.state === 'streaming') {
            return [new vscode.CodeLens(at, { title: '$(loading~spin) Hearth is writing a proposal…', command: '' })];
          }
          return [
            new vscode.CodeLens(at, { title: '$(check) Accept', command: 'hearth.proposal.accept', arguments: [proposal.id] }),
            new vscode.CodeLens(at, { title: '$(close) Reject', command: 'hearth.proposal.reject', arguments: [proposal.id] }),
          ];
        },
      },
    ),
    vscode.commands.registerCommand('hearth.proposal.accept', (target?: unknown) => {
      const proposal = resolveTarget(target);
      return proposal ? accept(proposal) : undefined;
    }),
    vscode.commands.registerCommand('hearth.proposal.reject', (target?: unknown) => {
      const proposal = resolveTarget(target);
      return proposal ? finish(proposal, 'rejected') : undefined;
    }),
    vscode.window.tabGroups.onDidChangeTabs((event) => {
      for (const tab of event.closed) {
        const proposal = tab.input instanceof vscode.TabInputTextDiff ? proposalForUri(tab.input.modified) : undefined;
        // Closing the diff is the quickest way to say no.
        if (proposal && proposal.diffOpened && !proposal.settledYet) void finish(proposal, 'rejected');
      }
    }),
  ];
  registry.registered = new vscode.Disposable(() => {
    for (const proposal of [...registry.proposals.values()]) void finish(proposal, 'rejected');
    for (const s of subscriptions) s.dispose();
    registry.registered = undefined;
  });
  return registry.registered;
}

/**
 * Accept/Reject from a CodeLens pass the id; from the editor title, the diff's resource; from the palette,
 * nothing: then the proposal in the active diff, else the newest one.
 */
function resolveTarget(target: unknown): Proposal | undefined {
  if (typeof target === 'string') return registry.proposals.get(target);
  if (target instanceof vscode.Uri) {
    const byUri = proposalForUri(target);
    if (byUri) return byUri;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  const byActive = active ? proposalForUri(active) : undefined;
  if (byActive) return byActive;
  const activeTab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (activeTab instanceof vscode.TabInputTextDiff) {
    const byTab = proposalForUri(activeTab.modified);
    if (byTab) return byTab;
  }
  return [...registry.proposals.values()].pop();
}

async function accept(proposal: Proposal): Promise<ProposalOutcome | undefined> {
  if (proposal.settledYet) return undefined;
  if (proposal.state === 'streaming') {
    void notifyImpl.info('Hearth is still writing this proposal. Wait for it to finish, or cancel it.');
    return undefined;
  }
  const { uri, original } = proposal.options;
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(uri);
  } catch {
    void notifyImpl.warn(`Hearth could not apply the proposal: ${uri.fsPath || uri.toString()} is no longer available.`);
    return finish(proposal, 'conflict');
  }
  const now = document.getText();
  // Unchanged document: the recorded offset; otherwise the nearest copy of the original text, if it survived.
  const found = locateOriginal(now, original.replace(/\r\n|\r|\n/g, proposal.eol), proposal.startOffset);
  if (!found) {
    void notifyImpl.warn(
      'The text this proposal replaces was edited while Hearth was working, so it was not applied and your edits are kept. Run the action again on the new text.',
    );
    return finish(proposal, 'conflict');
  }
  const range = new vscode.Range(document.positionAt(found.start), document.positionAt(found.end));
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, range, proposal.text);
  const applied = await vscode.workspace.applyEdit(edit);
  if (!applied) {
    void notifyImpl.error('Hearth could not apply the proposal: the editor refused the change (is the file read-only?).');
    return finish(proposal, 'conflict');
  }
  const outcome = await finish(proposal, 'accepted');
  const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  if (editor) {
    const start = document.positionAt(found.start);
    const end = document.positionAt(found.start + proposal.text.length);
    editor.selection = new vscode.Selection(start, end);
    editor.revealRange(new vscode.Range(start, end));
  }
  return outcome;
}

async function finish(proposal: Proposal, outcome: ProposalOutcome): Promise<ProposalOutcome> {
  if (!proposal.settle()) return outcome;
  if (outcome !== 'accepted' && proposal.state === 'streaming') proposal.options.onRejectWhileStreaming?.();
  registry.lensesChanged.fire();
  try {
    await closeDiff(proposal);
  } finally {
    registry.proposals.delete(proposal.id);
    notifyListeners();
    proposal.resolve(outcome);
  }
  return outcome;
}

async function closeDiff(proposal: Proposal): Promise<void> {
  const target = proposal.proposedUri.toString();
  const tabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === target);
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}

/** Pending proposals, oldest first (tests wait on these; the chat panel may show them). */
export function pendingProposals(): ProposalInfo[] {
  return [...registry.proposals.values()].map((p) => ({
    id: p.id,
    uri: p.options.uri,
    proposedUri: p.proposedUri,
    title: p.options.title,
    state: p.state,
    text: p.text,
  }));
}

export function onDidChangeProposals(listener: () => void): vscode.Disposable {
  registry.changeListeners.add(listener);
  return new vscode.Disposable(() => registry.changeListeners.delete(listener));
}

/**
 * Shows `proposed` as a replacement for `range` of `uri` in a diff and resolves with the user's decision:
 * 'accepted' (applied as one WorkspaceEdit), 'rejected' (nothing changed; also when the diff is closed or the
 * stream is cancelled), or 'conflict' (the original text was edited meanwhile and could not be found, so nothing
 * was applied). A stream that fails with anything other than a cancellation rejects the promise after closing
 * the diff. A proposal identical to the original, or empty, resolves 'rejected' with a message.
 */
export async function proposeReplacement(args: {
  uri: vscode.Uri;
  range: vscode.Range;
  original: string;
  proposed: string | AsyncIterable<string>;
  title: string;
}): Promise<'accepted' | 'rejected' | 'conflict'> {
  return showProposal(args);
}

/** `proposeReplacement` with output cleaning and a way to stop the producer; used by the actions. */
export async function showProposal(options: ProposeOptions): Promise<ProposalOutcome> {
  registerProposals();
  const document = await vscode.workspace.openTextDocument(options.uri);
  const id = String(registry.nextId++);
  const base = options.uri.path.split('/').pop() || 'untitled';
  const originalUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${id}/original/${base}` });
  const proposedUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${id}/proposed/${base}` });
  const proposal = new Proposal(
    id,
    options,
    document.version,
    document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
    document.getText(),
    document.offsetAt(options.range.start),
    originalUri,
    proposedUri,
  );
  registry.proposals.set(id, proposal);
  notifyListeners();

  const consuming = consume(proposal, options.proposed);
  // Awaited below; this only keeps an early failure from being reported as unhandled meanwhile.
  consuming.catch(() => undefined);
  try {
    // The virtual documents take the language of the file (for untitled files the name has no extension).
    for (const uri of [originalUri, proposedUri]) {
      const virtual = await vscode.workspace.openTextDocument(uri);
      if (virtual.languageId !== document.languageId) await vscode.languages.setTextDocumentLanguage(virtual, document.languageId);
    }
    if (!proposal.settledYet) {
      const line = proposal.changeLine();
      await vscode.commands.executeCommand('vscode.diff', originalUri, proposedUri, `${options.title}: ${base} ↔ Hearth proposal`, {
        preview: false,
        selection: new vscode.Range(line, 0, line, 0),
      } satisfies vscode.TextDocumentShowOptions);
      proposal.diffOpened = true;
      // The stream may have been cancelled while the diff was opening: it must not stay behind.
      if (proposal.settledYet) await closeDiff(proposal);
    }
  } catch (error) {
    await finish(proposal, 'rejected');
    throw error;
  }
  await consuming;
  return proposal.done;
}

async function consume(proposal: Proposal, proposed: string | AsyncIterable<string>): Promise<void> {
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
    await finish(proposal, 'rejected');
    if (isCancelled(error)) return;
    throw error;
  }
  if (proposal.settledYet) return;
  proposal.finishStream();
  const original = proposal.options.original.replace(/\r\n|\r|\n/g, proposal.eol);
  if (proposal.text.trim().length === 0 || proposal.text === original) {
    await finish(proposal, 'rejected');
    void notifyImpl.info(
      proposal.text.trim().length === 0 ? 'The model proposed nothing; the text is unchanged.' : 'The model proposed no change.',
    );
    return;
  }
  void notifyImpl.info(`Hearth: the ${proposal.options.title} proposal is ready.`, 'Accept', 'Reject').then((choice) => {
    if (choice === 'Accept') void accept(proposal);
    else if (choice === 'Reject') void finish(proposal, 'rejected');
  });
}
