/**
 * Accept and Reject: the commands behind the diff's title buttons, its CodeLens, the "proposal is ready"
 * notification and the palette, and closing the diff tab as the quickest way to say no.
 */
import * as vscode from 'vscode';
import type { ProposalLookup } from './diffView';
import type { Proposal } from './proposal';

export interface ProposalDecisions {
  lookup: ProposalLookup;
  byId(id: string): Proposal | undefined;
  newest(): Proposal | undefined;
  accept(proposal: Proposal): Promise<unknown>;
  reject(proposal: Proposal): Promise<unknown>;
}

export function registerProposalCommands(decisions: ProposalDecisions): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('hearth.proposal.accept', (target?: unknown) => {
      const proposal = resolveTarget(decisions, target);
      return proposal ? decisions.accept(proposal) : undefined;
    }),
    vscode.commands.registerCommand('hearth.proposal.reject', (target?: unknown) => {
      const proposal = resolveTarget(decisions, target);
      return proposal ? decisions.reject(proposal) : undefined;
    }),
    vscode.window.tabGroups.onDidChangeTabs((event) => {
      for (const tab of event.closed) {
        const proposal = tab.input instanceof vscode.TabInputTextDiff ? decisions.lookup(tab.input.modified) : undefined;
        if (proposal && proposal.diffOpened && !proposal.settledYet) void decisions.reject(proposal);
      }
    }),
  ];
}

/**
 * Accept/Reject from a CodeLens pass the id; from the editor title, the diff's resource; from the palette,
 * nothing: then the proposal in the active diff, else the newest one.
 */
function resolveTarget(decisions: ProposalDecisions, target: unknown): Proposal | undefined {
  if (typeof target === 'string') return decisions.byId(target);
  if (target instanceof vscode.Uri) {
    const byUri = decisions.lookup(target);
    if (byUri) return byUri;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  const byActive = active ? decisions.lookup(active) : undefined;
  if (byActive) return byActive;
  const activeTab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (activeTab instanceof vscode.TabInputTextDiff) {
    const byTab = decisions.lookup(activeTab.modified);
    if (byTab) return byTab;
  }
  return decisions.newest();
}
