/** A proposal's state without VS Code: what the diff shows while streaming, line endings, and deciding once. */
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { ProposeOptions } from '../../src/common/editing';
import { Proposal } from '../../src/editing/proposal';

const uri = (path: string) => ({ scheme: 'hearth-proposal', path }) as unknown as vscode.Uri;

function proposal(options: Partial<ProposeOptions>, snapshot: string, startOffset: number, eol: '\n' | '\r\n' = '\n') {
  const refreshed: Proposal[] = [];
  const p = new Proposal({
    id: '1',
    options: { uri: uri('/x.txt'), range: {} as vscode.Range, original: '', proposed: '', title: 'Rewrite', ...options },
    eol,
    snapshot,
    startOffset,
    originalUri: uri('/1/original/x.txt'),
    proposedUri: uri('/1/proposed/x.txt'),
    onRefresh: (q) => refreshed.push(q),
  });
  return { p, refreshed };
}

describe('editing: a proposal', () => {
  const snapshot = 'alpha\nold\nomega\n';

  it('shows the unchanged snapshot until text arrives, then the snapshot with the proposal in place', () => {
    const { p, refreshed } = proposal({ original: 'old' }, snapshot, 6);
    assert.equal(p.proposedDocument(), snapshot);
    assert.equal(p.changeLine(), 1);
    p.append('ne');
    p.append('w');
    assert.equal(p.text, 'new');
    p.finishStream();
    assert.equal(p.state, 'ready');
    assert.equal(p.proposedDocument(), 'alpha\nnew\nomega\n');
    assert.ok(refreshed.length >= 1, 'finishing redraws the diff');
    assert.deepEqual(p.info(), { id: '1', uri: p.options.uri, proposedUri: p.proposedUri, title: 'Rewrite', state: 'ready', text: 'new' });
  });

  it("snapshots replace the text, the transform cleans it, and the document's line endings are used", () => {
    const { p } = proposal({ original: 'a\r\nb', snapshots: true, transform: (raw, final) => (final ? raw.trim() : raw) }, 'a\r\nb', 0, '\r\n');
    p.append('x\ny ');
    p.append('x\ny\nz ');
    p.finishStream();
    assert.equal(p.text, 'x\r\ny\r\nz');
    assert.equal(p.originalText(), 'a\r\nb');
  });

  it('is settled once', () => {
    const { p } = proposal({ original: 'old' }, snapshot, 6);
    assert.equal(p.settledYet, false);
    assert.equal(p.settle(), true);
    assert.equal(p.settle(), false);
    assert.equal(p.settledYet, true);
  });
});
