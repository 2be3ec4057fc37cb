// Selection actions end to end in a real extension host with the real fixture model. The model is tiny and says
// children's-story noise, so these tests assert on behaviour (what opens, what changes, what is kept), not content.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ActionsApi } from '../../src/actions/index';
import type { HearthApi } from '../../src/extension';
import { PROPOSAL_SCHEME } from '../../src/common/editing';
import { fimChatModel } from '../support/paths';

interface Captured {
  level: 'info' | 'warn' | 'error' | 'engineError';
  message: string;
  error?: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000, everyMs = 5): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

describe('actions (extension host, real model)', function () {
  this.timeout(120_000);
  let api: ActionsApi;
  let captured: Captured[] = [];
  let originalNotify: ActionsApi['notify'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-actions-'));
  let fileCount = 0;

  before(async () => {
    const hearth = await vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth')!.activate();
    api = hearth.actions;
    assert.ok(api, 'the extension API exposes actions');
    originalNotify = { ...api.notify };
    api.notify.info = async (message) => (captured.push({ level: 'info', message }), undefined);
    api.notify.warn = async (message) => (captured.push({ level: 'warn', message }), undefined);
    api.notify.error = async (message) => (captured.push({ level: 'error', message }), undefined);
    api.notify.engineError = (error) => void captured.push({ level: 'engineError', message: String((error as Error)?.message ?? error), error });
  });

  after(async () => {
    Object.assign(api.notify, originalNotify);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  beforeEach(async () => {
    captured = [];
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  async function openFile(content: string, ext = 'txt'): Promise<vscode.TextEditor> {
    const file = path.join(dir, `file${++fileCount}.${ext}`);
    fs.writeFileSync(file, content);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    return vscode.window.showTextDocument(document);
  }

  function select(editor: vscode.TextEditor, text: string): vscode.Range {
    const start = editor.document.getText().indexOf(text);
    assert.ok(start >= 0);
    const range = new vscode.Range(editor.document.positionAt(start), editor.document.positionAt(start + text.length));
    editor.selection = new vscode.Selection(range.start, range.end);
    return range;
  }

  const diffTabs = () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === PROPOSAL_SCHEME);

  /** Runs a command without waiting; a wait on its effects fails at once (with what was shown) if it ends first. */
  let current: { settled: boolean; value?: unknown } = { settled: false };
  function start(command: string, ...args: unknown[]): Thenable<string> {
    const state: { settled: boolean; value?: unknown } = { settled: false };
    current = state;
    const promise = vscode.commands.executeCommand<string>(command, ...args);
    promise.then(
      (v) => Object.assign(state, { settled: true, value: v }),
      (e) => Object.assign(state, { settled: true, value: e }),
    );
    return promise;
  }
  async function waitWhileRunning<T>(what: string, probe: () => T | undefined | false, everyMs = 5): Promise<T> {
    return waitFor(what, () => {
      const value = probe();
      if (value) return value;
      if (current.settled) throw new Error(`the command ended (${String(current.value)}) before ${what}; messages: ${JSON.stringify(captured)}`);
      return undefined;
    }, 60_000, everyMs);
  }
  const readyProposal = () => waitWhileRunning('a finished proposal', () => api.pendingProposals().find((p) => p.state === 'ready'));

  const PROSE = 'Intro line stays.\n\nthe dog run fast to the park and it were happy there with it friend.\nit play all day.\n\nOutro line stays.\n';
  const SELECTED = 'the dog run fast to the park and it were happy there with it friend.\nit play all day.\n';

  it('Rewrite: opens a diff; Accept applies one edit that one undo reverts byte for byte', async () => {
    const editor = await openFile(PROSE);
    select(editor, SELECTED);
    const outcome = start('hearth.rewriteSelection');
    const proposal = await readyProposal();
    // The proposal is ready before the workbench has opened its diff tab (a CPU hog made that gap visible).
    await waitFor('the diff tab', () => diffTabs().length > 0 || undefined, 10_000);
    assert.equal(diffTabs().length, 1, 'the diff is open');
    assert.ok(proposal.text.length > 0);
    assert.equal(editor.document.getText(), PROSE, 'nothing changes before Accept');
    await vscode.commands.executeCommand('hearth.proposal.accept', proposal.id);
    assert.equal(await outcome, 'accepted');
    const after = editor.document.getText();
    assert.notEqual(after, PROSE);
    assert.ok(after.startsWith('Intro line stays.\n\n') && after.endsWith('\n\nOutro line stays.\n'), 'only the selection changed');
    assert.ok(after.includes(proposal.text), 'the proposal shown is what was applied');
    assert.equal(diffTabs().length, 0, 'the diff closed');
    assert.deepEqual(api.pendingProposals(), []);

    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), PROSE, 'one undo restores the original exactly');
  });

  it('Rewrite: Reject leaves the document byte-identical and unmodified', async () => {
    const editor = await openFile(PROSE);
    select(editor, SELECTED);
    const version = editor.document.version;
    const outcome = start('hearth.rewriteSelection');
    const proposal = await readyProposal();
    await vscode.commands.executeCommand('hearth.proposal.reject', proposal.id);
    assert.equal(await outcome, 'rejected');
    assert.equal(editor.document.getText(), PROSE);
    assert.equal(editor.document.version, version);
    assert.equal(editor.document.isDirty, false);
    assert.equal(diffTabs().length, 0);
  });

  it('Rewrite keeps CRLF line endings and the selection indentation', async () => {
    const code = 'function f() {\r\n    const a = 1;\r\n    const b = 2;\r\n    return a + b;\r\n}\r\n';
    const editor = await openFile(code, 'js');
    select(editor, '    const a = 1;\r\n    const b = 2;\r\n');
    const outcome = start('hearth.rewriteSelection');
    const proposal = await readyProposal();
    await vscode.commands.executeCommand('hearth.proposal.accept', proposal.id);
    assert.equal(await outcome, 'accepted');
    const after = editor.document.getText();
    assert.ok(!/[^\r]\n/.test(after), 'no bare LF was introduced');
    const replaced = after.slice('function f() {\r\n'.length, after.length - '    return a + b;\r\n}\r\n'.length);
    for (const line of replaced.split('\r\n').filter((l) => l.trim())) assert.ok(line.startsWith('    '), `indented: ${JSON.stringify(line)}`);
    assert.ok(replaced.endsWith('\r\n'), 'whole lines stay whole lines');
  });

  it('cancelling mid-stream stops the model quickly and changes nothing', async () => {
    const long = Array.from({ length: 30 }, (_, i) => `line ${i} of the story where the little cat walked to the big red barn.`).join('\n') + '\n';
    const editor = await openFile(`keep\n${long}keep\n`);
    select(editor, long);
    const before = editor.document.getText();
    const outcome = start('hearth.rewriteSelection');
    await waitWhileRunning('streamed text', () => api.pendingProposals().find((p) => p.state === 'streaming' && p.text.length > 0), 1);
    const cancelledAt = Date.now();
    assert.equal(api.cancelRunning(), 1);
    await waitFor('the action to stop', () => api.running() === 0, 5_000, 1);
    const stoppedMs = Date.now() - cancelledAt;
    assert.equal(await outcome, 'cancelled');
    assert.ok(stoppedMs < 250, `stopped ${stoppedMs} ms after cancel`);
    assert.equal(editor.document.getText(), before);
    assert.equal(editor.document.isDirty, false);
    assert.deepEqual(api.pendingProposals(), []);
    await waitFor('the diff to close', () => diffTabs().length === 0, 5_000);
  });

  it('an edit above the selection during generation is kept and the proposal lands on the moved text', async () => {
    const editor = await openFile(PROSE);
    select(editor, SELECTED);
    const outcome = start('hearth.rewriteSelection');
    await waitWhileRunning('a proposal', () => api.pendingProposals()[0], 1);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(editor.document.uri, new vscode.Position(0, 0), 'USER TYPED THIS\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const proposal = await readyProposal();
    await vscode.commands.executeCommand('hearth.proposal.accept', proposal.id);
    assert.equal(await outcome, 'accepted');
    const after = editor.document.getText();
    assert.ok(after.startsWith('USER TYPED THIS\nIntro line stays.\n\n'), 'the user edit is kept');
    assert.ok(after.endsWith('\n\nOutro line stays.\n'));
    assert.ok(!after.includes(SELECTED), 'the original text was replaced');
  });

  it('an edit inside the selection during generation is never clobbered: the proposal is refused with a message', async () => {
    const editor = await openFile(PROSE);
    select(editor, SELECTED);
    const outcome = start('hearth.rewriteSelection');
    await waitWhileRunning('a proposal', () => api.pendingProposals()[0], 1);
    const at = editor.document.positionAt(PROSE.indexOf('park'));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(editor.document.uri, at, 'big ');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const expected = editor.document.getText();
    const proposal = await readyProposal();
    await vscode.commands.executeCommand('hearth.proposal.accept', proposal.id);
    assert.equal(await outcome, 'conflict');
    assert.equal(editor.document.getText(), expected);
    assert.ok(captured.some((c) => c.level === 'warn' && /edited while Hearth was working/.test(c.message)));
  });

  it('a read-only document gives a message and no request', async () => {
    const provider = vscode.workspace.registerTextDocumentContentProvider('hearth-test-readonly', { provideTextDocumentContent: () => PROSE });
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse('hearth-test-readonly:/notes.txt'));
      const editor = await vscode.window.showTextDocument(document);
      select(editor, SELECTED);
      assert.equal(await vscode.commands.executeCommand('hearth.rewriteSelection'), 'refused');
      assert.ok(captured.some((c) => c.level === 'warn' && /read-only/.test(c.message)), JSON.stringify(captured));
      assert.deepEqual(api.pendingProposals(), []);
    } finally {
      provider.dispose();
    }
  });

  it('an empty selection gives a message for Rewrite', async () => {
    const editor = await openFile(PROSE);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('hearth.rewriteSelection'), 'refused');
    assert.ok(captured.some((c) => c.level === 'info' && /Select the text/.test(c.message)));
  });

  it('Summarize streams a Markdown result beside the editor and leaves the file alone', async () => {
    const editor = await openFile(PROSE);
    select(editor, SELECTED);
    assert.equal(await vscode.commands.executeCommand('hearth.summarizeSelection'), 'shown', JSON.stringify(captured));
    const result = api.results().pop()!;
    assert.ok(result.done);
    assert.match(result.text, /^# Summary of `file\d+\.txt` \(lines 3–5\)\n\n\S/);
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === result.uri.toString());
    assert.ok(shown, 'the result is visible');
    assert.equal(shown.document.languageId, 'markdown');
    await waitFor('the view to show the final text', () => shown.document.getText() === result.text, 20_000);
    assert.notEqual(shown.viewColumn, editor.viewColumn, 'beside the editor');
    assert.equal(editor.document.getText(), PROSE);
  });

  it('Explain works on the whole file when nothing is selected', async () => {
    const editor = await openFile('def add(a, b):\n    return a + b\n', 'py');
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('hearth.explainSelection'), 'shown', JSON.stringify(captured));
    const result = api.results().pop()!;
    assert.match(result.text, /^# Explanation of `file\d+\.py`\n\n\S/);
  });

  it('Transform with an instruction proposes a diff and remembers the instruction', async () => {
    const editor = await openFile(PROSE);
    select(editor, SELECTED);
    const outcome = start('hearth.transformSelection', { instruction: 'make it a poem' });
    const proposal = await readyProposal();
    assert.equal(proposal.title, 'Transform');
    await vscode.commands.executeCommand('hearth.proposal.reject');
    assert.equal(await outcome, 'rejected');
    assert.equal(api.recentInstructions()[0], 'make it a poem');
    assert.equal(editor.document.getText(), PROSE);
  });

  it('a custom insertBelow action inserts under the selection as one undo step', async () => {
    const config = vscode.workspace.getConfiguration('hearth');
    await config.update('actions.custom', [{ name: 'Add Note', prompt: 'Write a note about {{selection}} ({{language}}, {{fileName}})', output: 'insertBelow' }], vscode.ConfigurationTarget.Global);
    try {
      const editor = await openFile(PROSE);
      select(editor, SELECTED);
      assert.equal(await vscode.commands.executeCommand('hearth.runCustomAction', 'Add Note'), 'inserted', JSON.stringify(captured));
      const after = editor.document.getText();
      assert.ok(after.startsWith(PROSE.slice(0, PROSE.indexOf(SELECTED) + SELECTED.length)), 'the text above and the selection are intact');
      assert.ok(!after.startsWith(PROSE.slice(0, PROSE.indexOf('Outro'))), 'inserted right under the selection');
      assert.ok(after.length > PROSE.length && after.endsWith('\n\nOutro line stays.\n'));
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('undo');
      assert.equal(editor.document.getText(), PROSE);
    } finally {
      await config.update('actions.custom', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a custom show action and the chat-template model work too', async () => {
    const config = vscode.workspace.getConfiguration('hearth');
    const previousModel = config.inspect('modelPath')?.globalValue;
    await config.update('modelPath', fimChatModel, vscode.ConfigurationTarget.Global);
    await config.update('actions.custom', [{ name: 'Title', prompt: 'Give {{selection}} a title', output: 'show' }], vscode.ConfigurationTarget.Global);
    try {
      const editor = await openFile(PROSE);
      select(editor, SELECTED);
      assert.equal(await vscode.commands.executeCommand('hearth.runCustomAction', 'Title'), 'shown');
      assert.match(api.results().pop()!.text, /^# Title of `file\d+\.txt`/);
    } finally {
      await config.update('actions.custom', undefined, vscode.ConfigurationTarget.Global);
      await config.update('modelPath', previousModel, vscode.ConfigurationTarget.Global);
    }
  });

  it('a missing model is reported through the engine error reporter, and nothing opens', async () => {
    const config = vscode.workspace.getConfiguration('hearth');
    const previousModel = config.inspect('modelPath')?.globalValue;
    await config.update('modelPath', path.join(dir, 'no-such-model.gguf'), vscode.ConfigurationTarget.Global);
    try {
      const editor = await openFile(PROSE);
      select(editor, SELECTED);
      const resultsBefore = api.results().length;
      assert.equal(await vscode.commands.executeCommand('hearth.rewriteSelection'), 'failed');
      const reported = captured.find((c) => c.level === 'engineError');
      assert.ok(reported, JSON.stringify(captured));
      assert.equal((reported.error as { code?: string }).code, 'MODEL_NOT_FOUND');
      assert.deepEqual(api.pendingProposals(), []);
      assert.equal(api.results().length, resultsBefore);
      assert.equal(editor.document.getText(), PROSE);
    } finally {
      await config.update('modelPath', previousModel, vscode.ConfigurationTarget.Global);
    }
  });
});
