/**
 * The chat webview's entry (a browser script, bundled to dist/media/chat.js): a view of the state the extension
 * host sends, and a source of validated requests back. Assistant answers arrive as HTML the host already
 * rendered and sanitized, and are filtered again before they reach the document; user text is only ever set as
 * text. No `vscode` or Node module here: only the shared message types and validators.
 */
import '../../../media/chat.css';
import { type HostToWebview, parseHostMessage, type WebviewToHost } from '../messages';
import { bindInput } from './input';
import { createLayout } from './layout';
import { type PageState, readSaved, type SavedState, type VsCodeApi } from './page';
import { Renderer } from './render';

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const saved = readSaved(vscode.getState());
const page: PageState = { state: saved.state, editing: saved.editing, historyOpen: false };
const surface = document.body.dataset.surface === 'editor' ? 'editor' : 'sidebar';
const ui = createLayout(document.getElementById('app')!);
ui.input.value = saved.draft;
const renderer = new Renderer(ui, page);

const post = (message: WebviewToHost): void => vscode.postMessage(message);
const save = (): void => vscode.setState({ draft: ui.input.value, editing: page.editing, state: page.state } satisfies SavedState);
const render = (): void => renderer.render();

const input = bindInput({ ui, page, post, save, render });

window.addEventListener('message', (event: MessageEvent) => {
  const message: HostToWebview | undefined = parseHostMessage(event.data);
  if (!message) return;
  switch (message.type) {
    case 'state':
      page.state = message.state;
      save();
      render();
      input.hostStateArrived();
      break;
    case 'stream':
      renderer.applyStream(message.messageId, message.html);
      break;
    case 'announce':
      // Cleared first so that the same words twice are announced twice.
      ui.live.textContent = '';
      setTimeout(() => (ui.live.textContent = message.text), 50);
      break;
    case 'focus':
      ui.input.focus();
      break;
  }
});

document.body.dataset.surface = surface;
render();
ui.input.focus();
post({ type: 'ready' });
