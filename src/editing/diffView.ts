/**
 * The diff a proposal is shown in: two read-only virtual documents (the snapshot, and the snapshot with the
 * proposal in place) under the `hearth-proposal` scheme, a CodeLens above the change, and opening and closing
 * the diff tab. The paths are `/<id>/original/<name>` and `/<id>/proposed/<name>`.
 */
import * as vscode from 'vscode';
import { PROPOSAL_SCHEME } from '../common/editing';
import { basename } from '../common/text';
import type { Proposal } from './proposal';

/** The proposal a diff document belongs to, if it is one and still pending. */
export type ProposalLookup = (uri: vscode.Uri) => Proposal | undefined;

export function proposalId(uri: vscode.Uri): string | undefined {
  return uri.scheme === PROPOSAL_SCHEME ? uri.path.split('/')[1] : undefined;
}

/** The diff's two documents for a new proposal of `uri`; `name` titles the diff. */
export function diffUris(id: string, uri: vscode.Uri): { name: string; originalUri: vscode.Uri; proposedUri: vscode.Uri } {
  const name = basename(uri.path) || 'untitled';
  return {
    name,
    originalUri: vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${id}/original/${name}` }),
    proposedUri: vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${id}/proposed/${name}` }),
  };
}

export function registerDiffDocuments(
  lookup: ProposalLookup,
  contentChanged: vscode.Event<vscode.Uri>,
  lensesChanged: vscode.Event<void>,
): vscode.Disposable[] {
  return [
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, {
      onDidChange: contentChanged,
      provideTextDocumentContent(uri) {
        const proposal = lookup(uri);
        if (!proposal) return '';
        return uri.path.split('/')[2] === 'original' ? proposal.snapshot : proposal.proposedDocument();
      },
    }),
    vscode.languages.registerCodeLensProvider(
      { scheme: PROPOSAL_SCHEME },
      {
        onDidChangeCodeLenses: lensesChanged,
        provideCodeLenses(document) {
          const proposal = lookup(document.uri);
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
  ];
}

/**
 * Opens the diff for `proposal` unless it was settled meanwhile. The virtual documents take the language of the
 * file first (for untitled files the name has no extension to guess it from).
 */
export async function openDiff(proposal: Proposal, document: vscode.TextDocument, name: string): Promise<void> {
  for (const uri of [proposal.originalUri, proposal.proposedUri]) {
    const virtual = await vscode.workspace.openTextDocument(uri);
    if (virtual.languageId !== document.languageId) await vscode.languages.setTextDocumentLanguage(virtual, document.languageId);
  }
  if (proposal.settledYet) return;
  const line = proposal.changeLine();
  await vscode.commands.executeCommand('vscode.diff', proposal.originalUri, proposal.proposedUri, `${proposal.options.title}: ${name} ↔ Hearth proposal`, {
    preview: false,
    selection: new vscode.Range(line, 0, line, 0),
  } satisfies vscode.TextDocumentShowOptions);
  proposal.diffOpened = true;
  // The stream may have been cancelled while the diff was opening: it must not stay behind.
  if (proposal.settledYet) await closeDiff(proposal);
}

export async function closeDiff(proposal: Proposal): Promise<void> {
  const target = proposal.proposedUri.toString();
  const tabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === target);
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}
