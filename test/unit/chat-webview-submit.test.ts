// What Enter does in the chat webview (src/chat/webview/page.ts, submitAction). After a window reload in the middle
// of an answer, the page starts from the state saved before the reload, which still says busy: an Enter pressed
// before the new host's first state must be kept and carried out, not refused (the e2e reload test, under a CPU
// hog, pressed Enter in that gap and its question was never sent).
import * as assert from 'node:assert/strict';
import { type PageState, readSaved, submitAction } from '../../src/chat/webview/page';
import type { ViewState } from '../../src/chat/messages';

const midAnswer: ViewState = {
  conversationId: 'c1', title: 'A story', busy: true, history: [], chips: [],
  messages: [], engine: { kind: 'ready', modelName: 'm' }, meter: { used: 10, dropped: 0 },
};

/** The page as it loads after a reload: the saved state, restored and validated as index.ts restores it. */
function reloadedPage(): PageState {
  const saved = readSaved({ draft: '', editing: false, state: midAnswer });
  assert.equal(saved.state?.busy, true, 'the saved state comes back as it was saved: busy');
  return { state: saved.state, editing: saved.editing, historyOpen: false };
}

describe('chat webview: Enter', () => {
  it('keeps a question typed before the host has spoken, even when the saved state says an answer runs', () => {
    const page = reloadedPage();
    assert.equal(submitAction(page, 'And a short one?'), 'queue');
  });

  it('sends once the host has spoken and is idle, refuses while it answers, and ignores an empty draft', () => {
    const page: PageState = { ...reloadedPage(), state: { ...midAnswer, busy: false }, live: true };
    assert.equal(submitAction(page, 'And a short one?'), 'send');
    assert.equal(submitAction({ ...page, state: { ...page.state!, busy: true } }, 'And a short one?'), 'ignore');
    assert.equal(submitAction(page, '   \n'), 'ignore');
    assert.equal(submitAction({ ...page, live: false }, ''), 'ignore');
  });
});
