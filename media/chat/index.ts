/**
 * The chat webview: a view of the state the extension host sends, and a source of validated requests back.
 * Assistant answers arrive as HTML the host already rendered and sanitized; it is still parsed in an inert
 * <template> and filtered against the same tag/attribute allowlist before it reaches the document (defence in
 * depth; the CSP forbids inline script anyway). User text is only ever set as text.
 */
import './chat.css';
import { type HostToWebview, parseHostMessage, type ViewMessage, type ViewState, type WebviewToHost } from '../../src/chat/messages';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  draft: string;
  editing: boolean;
  state?: ViewState;
}

const vscode = acquireVsCodeApi();
const saved = readSaved(vscode.getState());
let state: ViewState | undefined = saved.state;
let editing = saved.editing;
let historyOpen = false;

function readSaved(value: unknown): SavedState {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<SavedState>;
  const restored = v.state ? parseHostMessage({ type: 'state', state: v.state }) : undefined;
  return {
    draft: typeof v.draft === 'string' ? v.draft : '',
    editing: v.editing === true,
    state: restored?.type === 'state' ? restored.state : undefined,
  };
}

function save(): void {
  vscode.setState({ draft: input.value, editing, state } satisfies SavedState);
}

function post(message: WebviewToHost): void {
  vscode.postMessage(message);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function button(label: string, action: string, extra: Partial<Record<string, string>> = {}): HTMLButtonElement {
  return el('button', { type: 'button', 'data-action': action, text: label, ...extra });
}

// ---- Static layout --------------------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const surface = document.body.dataset.surface === 'editor' ? 'editor' : 'sidebar';

const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Chat' });
const titleEl = el('h2', { class: 'title', id: 'chat-title' });
toolbar.append(
  titleEl,
  button('New', 'newChat', { title: 'New chat', 'aria-label': 'New chat' }),
  button('History', 'toggleHistory', { title: 'Show chat history', 'aria-label': 'Show chat history', 'aria-expanded': 'false', 'aria-controls': 'history' }),
);
const historyPanel = el('section', { id: 'history', class: 'history', hidden: '', 'aria-label': 'Chat history' });
const log = el('main', { id: 'log', class: 'log', role: 'log', 'aria-labelledby': 'chat-title', 'aria-live': 'off', tabindex: '-1' });
const emptyState = el('section', { class: 'empty', 'aria-label': 'About Hearth' });
const live = el('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });

const chips = el('div', { class: 'chips', 'aria-label': 'Attached context' });
const attachBar = el('div', { class: 'attach', role: 'group', 'aria-label': 'Attach context' },
  button('+ Selection', 'attach-selection', { title: 'Attach the selected code (#selection)' }),
  button('+ File', 'attach-file', { title: 'Attach the current file (#file)' }),
  button('+ Open editors', 'attach-editors', { title: 'Attach all open editors (#editors)' }),
);
const meterFill = el('div', { class: 'meter-fill' });
const meter = el('div', { class: 'meter', role: 'meter', 'aria-label': 'Context window used', 'aria-valuemin': '0' }, meterFill);
const meterText = el('span', { class: 'meter-text' });
const editBanner = el('div', { class: 'edit-banner', hidden: '' }, el('span', { text: 'Editing your last question' }), button('Cancel', 'cancelEdit'));
const input = el('textarea', {
  id: 'input', rows: '3', 'aria-label': 'Ask Hearth (Enter to send, Shift+Enter for a new line, Escape to stop)',
  placeholder: 'Ask about your code… (#selection, #file, #editors)',
});
const sendButton = button('Send', 'send', { class: 'primary', 'aria-label': 'Send' });
const stopButton = button('Stop', 'stop', { class: 'stop', 'aria-label': 'Stop the answer (Escape)', hidden: '' });
const composer = el('footer', { class: 'composer' },
  chips, editBanner,
  el('div', { class: 'input-row' }, input, el('div', { class: 'send' }, sendButton, stopButton)),
  el('div', { class: 'composer-meta' }, attachBar, el('div', { class: 'meter-wrap' }, meter, meterText)),
);
app.append(toolbar, historyPanel, emptyState, log, composer, live);
input.value = saved.draft;

// ---- Rendering --------------------------------------------------------------------------------------------------
const ALLOWED_TAGS = new Set('P BR HR EM STRONG S DEL CODE PRE SPAN BLOCKQUOTE UL OL LI H1 H2 H3 H4 H5 H6 TABLE THEAD TBODY TR TH TD A SUP SUB KBD'.split(' '));
const ALLOWED_ATTRS = new Set(['class', 'href', 'title', 'start', 'data-block']);

/** Parses host HTML inertly and keeps only allowlisted elements and attributes, and only http(s)/mailto links. */
function safeFragment(html: string): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = html;
  const walk = (node: Element) => {
    for (const child of Array.from(node.children)) {
      if (!ALLOWED_TAGS.has(child.tagName)) {
        child.replaceWith(document.createTextNode(child.textContent ?? ''));
        continue;
      }
      for (const attr of Array.from(child.attributes)) {
        if (!ALLOWED_ATTRS.has(attr.name)) child.removeAttribute(attr.name);
      }
      if (child.tagName === 'A') {
        const href = child.getAttribute('href') ?? '';
        if (!/^(https?:\/\/|mailto:)/i.test(href)) child.removeAttribute('href');
        child.setAttribute('rel', 'noreferrer noopener');
      }
      walk(child);
    }
  };
  walk(template.content as unknown as Element);
  return template.content;
}

/** Code blocks get a toolbar; the host finds the code by message id and block number. */
function decorateCodeBlocks(container: HTMLElement, messageId: string, done: boolean): void {
  for (const pre of Array.from(container.querySelectorAll<HTMLPreElement>('pre[data-block]'))) {
    const block = pre.dataset.block ?? '0';
    const lang = /language-([\w+#-]+)/.exec(pre.querySelector('code')?.className ?? '')?.[1];
    const bar = el('div', { class: 'code-toolbar' }, el('span', { class: 'code-lang', text: lang ?? '' }));
    if (done) {
      const common = { 'data-message': messageId, 'data-block': block };
      bar.append(
        button('Copy', 'code-copy', { ...common, 'aria-label': `Copy code block ${Number(block) + 1}` }),
        button('Insert', 'code-insert', { ...common, title: 'Insert at cursor', 'aria-label': `Insert code block ${Number(block) + 1} at the cursor` }),
        button('Apply', 'code-apply', { ...common, title: 'Apply to selection (review the diff first)', 'aria-label': `Apply code block ${Number(block) + 1} to the selection` }),
      );
    }
    const wrap = el('div', { class: 'code-wrap' });
    pre.replaceWith(wrap);
    wrap.append(bar, pre);
  }
}

function renderAnswerBody(body: HTMLElement, message: ViewMessage): void {
  body.replaceChildren(safeFragment(message.html ?? ''));
  decorateCodeBlocks(body, message.id, message.status !== 'streaming');
  if (message.status === 'streaming' && !message.html) body.append(el('span', { class: 'thinking', text: 'Thinking…' }));
}

function renderMessage(message: ViewMessage, isLastUser: boolean, isLastAnswer: boolean): HTMLElement {
  const who = message.role === 'user' ? 'You' : 'Hearth';
  const article = el('article', { class: `message ${message.role} ${message.status}`, 'data-id': message.id, 'aria-label': `${who} said` });
  article.append(el('div', { class: 'who', text: who }));
  if (message.role === 'user') {
    article.append(el('div', { class: 'body user-text', text: message.text ?? '' }));
    if (message.attachments?.length) {
      article.append(el('div', { class: 'chips static' }, ...message.attachments.map((a) => el('span', { class: 'chip', text: a }))));
    }
  } else {
    const body = el('div', { class: 'body markdown' });
    renderAnswerBody(body, message);
    article.append(body);
    if (message.status === 'stopped') article.append(el('div', { class: 'note', text: 'Stopped.' }));
    if (message.status === 'error') article.append(el('div', { class: 'note error', role: 'alert', text: `Could not answer: ${message.error ?? 'unknown error'}` }));
  }
  if (message.status !== 'streaming') {
    const actions = el('div', { class: 'message-actions' });
    actions.append(button('Copy', 'copyMessage', { 'data-message': message.id, 'aria-label': `Copy ${message.role === 'user' ? 'question' : 'answer'}` }));
    if (isLastUser && !state?.busy) actions.append(button('Edit', 'edit', { 'aria-label': 'Edit and resend this question' }));
    if (isLastAnswer && !state?.busy) actions.append(button('Regenerate', 'regenerate', { 'aria-label': 'Regenerate this answer' }));
    article.append(actions);
  }
  return article;
}

function renderEmpty(s: ViewState): void {
  const engine = s.engine;
  const stateWords: Record<string, string> = {
    noModel: 'no model chosen', idle: 'not loaded yet (loads on first use)', loading: 'loading…', ready: 'ready',
    generating: 'busy', error: 'error',
  };
  emptyState.replaceChildren(
    el('h3', { text: 'Hearth' }),
    el('p', { text: 'A small AI model running inside VS Code, on this machine. Nothing you ask leaves it.' }),
    el('p', { class: 'model-line' },
      el('span', { text: 'Model: ' }),
      el('strong', { text: engine.modelName ?? 'none' }),
      el('span', { class: `model-state ${engine.kind}`, text: ` — ${stateWords[engine.kind] ?? engine.kind}` })),
    ...(engine.message ? [el('p', { class: 'note error', text: engine.message })] : []),
    el('p', {}, button(engine.modelName ? 'Choose another model…' : 'Choose a model…', 'selectModel', { class: 'primary' })),
    el('p', { class: 'hint', text: 'Ask about your code. Attach the selection, the file or all open editors with the buttons below, or type #selection, #file or #editors.' }),
  );
}

function renderHistory(s: ViewState): void {
  if (s.history.length === 0) {
    historyPanel.replaceChildren(el('p', { class: 'hint', text: 'No saved chats in this workspace yet.' }));
    return;
  }
  const list = el('ul', { class: 'history-list' });
  for (const h of s.history) {
    const current = h.id === s.conversationId;
    list.append(el('li', { class: current ? 'current' : '' },
      button(h.title, 'open', { class: 'history-open', 'data-id': h.id, 'aria-current': current ? 'true' : undefined, title: new Date(h.updatedAt).toLocaleString() }),
      button('Delete', 'delete', { class: 'history-delete', 'data-id': h.id, 'aria-label': `Delete chat “${h.title}”` }),
    ));
  }
  historyPanel.replaceChildren(el('h3', { text: 'History' }), list);
}

function render(): void {
  if (!state) return;
  const s = state;
  titleEl.textContent = s.title;
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  let lastUser = -1;
  let lastAnswer = -1;
  s.messages.forEach((m, i) => (m.role === 'user' ? (lastUser = i) : (lastAnswer = i)));
  log.replaceChildren(...s.messages.map((m, i) => renderMessage(m, i === lastUser, i === lastAnswer)));
  emptyState.hidden = s.messages.length > 0;
  log.hidden = s.messages.length === 0;
  if (s.messages.length === 0) renderEmpty(s);
  renderHistory(s);
  historyPanel.hidden = !historyOpen;

  chips.replaceChildren(...s.chips.map((c) => el('span', { class: `chip ${c.kind}` },
    el('span', { text: c.label }),
    button('×', 'removeChip', { class: 'chip-remove', 'data-id': c.id, 'aria-label': `Remove ${c.label}` }))));
  chips.hidden = s.chips.length === 0;

  sendButton.hidden = s.busy;
  stopButton.hidden = !s.busy;
  document.body.classList.toggle('busy', s.busy);
  editBanner.hidden = !editing;

  const total = s.meter.total;
  const fraction = total ? Math.min(1, s.meter.used / total) : 0;
  meterFill.style.width = `${Math.round(fraction * 100)}%`;
  meter.classList.toggle('full', fraction > 0.85);
  meter.setAttribute('aria-valuenow', String(s.meter.used));
  if (total) meter.setAttribute('aria-valuemax', String(total));
  const words = total ? `${s.meter.used.toLocaleString()} / ${total.toLocaleString()} tokens` : `~${s.meter.used.toLocaleString()} tokens`;
  meterText.textContent = s.meter.dropped > 0 ? `${words} · oldest ${s.meter.dropped} messages left out` : words;
  meter.setAttribute('aria-valuetext', meterText.textContent);
  if (nearBottom) log.scrollTop = log.scrollHeight;
}

function applyStream(messageId: string, html: string): void {
  const article = log.querySelector<HTMLElement>(`article[data-id="${CSS.escape(messageId)}"]`);
  const body = article?.querySelector<HTMLElement>('.body');
  if (!body) return;
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  renderAnswerBody(body, { id: messageId, role: 'assistant', html, status: 'streaming' });
  if (nearBottom) log.scrollTop = log.scrollHeight;
}

// ---- Input ------------------------------------------------------------------------------------------------------
function submit(): void {
  const text = input.value.trim();
  if (!text || state?.busy) return;
  post(editing ? { type: 'editLast', text } : { type: 'send', text });
  editing = false;
  input.value = '';
  save();
  render();
}

input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    submit();
  }
});
input.addEventListener('input', () => save());

document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape') return;
  if (state?.busy) {
    e.preventDefault();
    post({ type: 'stop' });
  } else if (editing) {
    editing = false;
    input.value = '';
    save();
    render();
  } else if (historyOpen) {
    historyOpen = false;
    render();
  }
});

document.addEventListener('click', (e) => {
  const target = (e.target as Element | null)?.closest<HTMLElement>('[data-action]');
  if (!target) return;
  const action = target.dataset.action;
  const messageId = target.dataset.message ?? '';
  const block = Number(target.dataset.block ?? '0');
  switch (action) {
    case 'send': submit(); break;
    case 'stop': post({ type: 'stop' }); break;
    case 'newChat': editing = false; historyOpen = false; post({ type: 'newChat' }); input.focus(); break;
    case 'toggleHistory':
      historyOpen = !historyOpen;
      target.setAttribute('aria-expanded', String(historyOpen));
      render();
      break;
    case 'open': historyOpen = false; post({ type: 'openConversation', id: target.dataset.id ?? '' }); break;
    case 'delete': post({ type: 'deleteConversation', id: target.dataset.id ?? '' }); break;
    case 'regenerate': post({ type: 'regenerate' }); break;
    case 'edit': {
      const last = [...(state?.messages ?? [])].reverse().find((m) => m.role === 'user');
      editing = true;
      input.value = last?.text ?? '';
      save();
      render();
      input.focus();
      break;
    }
    case 'cancelEdit': editing = false; input.value = ''; save(); render(); break;
    case 'copyMessage': post({ type: 'copyMessage', messageId }); break;
    case 'code-copy': post({ type: 'codeAction', action: 'copy', messageId, block }); break;
    case 'code-insert': post({ type: 'codeAction', action: 'insert', messageId, block }); break;
    case 'code-apply': post({ type: 'codeAction', action: 'apply', messageId, block }); break;
    case 'attach-selection': post({ type: 'attach', kind: 'selection' }); break;
    case 'attach-file': post({ type: 'attach', kind: 'file' }); break;
    case 'attach-editors': post({ type: 'attach', kind: 'editors' }); break;
    case 'removeChip': post({ type: 'removeAttachment', id: target.dataset.id ?? '' }); input.focus(); break;
    case 'selectModel': post({ type: 'selectModel' }); break;
  }
});

// ---- Host messages ---------------------------------------------------------------------------------------------
window.addEventListener('message', (event: MessageEvent) => {
  const message: HostToWebview | undefined = parseHostMessage(event.data);
  if (!message) return;
  switch (message.type) {
    case 'state':
      state = message.state;
      save();
      render();
      break;
    case 'stream':
      applyStream(message.messageId, message.html);
      break;
    case 'announce':
      // Cleared first so that the same words twice are announced twice.
      live.textContent = '';
      setTimeout(() => (live.textContent = message.text), 50);
      break;
    case 'focus':
      input.focus();
      break;
  }
});

document.body.dataset.surface = surface;
render();
input.focus();
post({ type: 'ready' });
