/**
 * Draws the host's state into the layout: messages (answers as filtered HTML with a toolbar per code block,
 * questions as text), the empty state, the history list, the attachment chips, the busy buttons and the meter.
 */
import type { ViewMessage, ViewState } from '../messages';
import { button, el } from './dom';
import type { Layout } from './layout';
import { breakLongRuns } from './longRuns';
import type { PageState } from './page';
import { safeFragment } from './safeHtml';

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
  const fragment = safeFragment(message.html ?? '');
  breakLongRuns(fragment);
  body.replaceChildren(fragment);
  decorateCodeBlocks(body, message.id, message.status !== 'streaming');
  if (message.status === 'streaming' && !message.html) body.append(el('span', { class: 'thinking', text: 'Thinking…' }));
}

function renderMessage(message: ViewMessage, isLastUser: boolean, isLastAnswer: boolean, busy: boolean): HTMLElement {
  const who = message.role === 'user' ? 'You' : 'Hearth';
  const article = el('article', { class: `message ${message.role} ${message.status}`, 'data-id': message.id, 'aria-label': `${who} said` });
  article.append(el('div', { class: 'who', text: who }));
  if (message.role === 'user') {
    const text = el('div', { class: 'body user-text', text: message.text ?? '' });
    breakLongRuns(text);
    article.append(text);
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
    if (isLastUser && !busy) actions.append(button('Edit', 'edit', { 'aria-label': 'Edit and resend this question' }));
    if (isLastAnswer && !busy) actions.append(button('Regenerate', 'regenerate', { 'aria-label': 'Regenerate this answer' }));
    article.append(actions);
  }
  return article;
}

const STATE_WORDS: Record<string, string> = {
  noModel: 'no model chosen', idle: 'not loaded yet (loads on first use)', loading: 'loading…', ready: 'ready',
  generating: 'busy', error: 'error',
};

function renderEmpty(emptyState: HTMLElement, s: ViewState): void {
  const engine = s.engine;
  emptyState.replaceChildren(
    el('h3', { text: 'Hearth' }),
    el('p', { text: 'A small AI model running inside VS Code, on this machine. Nothing you ask leaves it.' }),
    el('p', { class: 'model-line' },
      el('span', { text: 'Model: ' }),
      el('strong', { text: engine.modelName ?? 'none' }),
      el('span', { class: `model-state ${engine.kind}`, text: ` — ${STATE_WORDS[engine.kind] ?? engine.kind}` })),
    ...(engine.message ? [el('p', { class: 'note error', text: engine.message })] : []),
    el('p', {}, button(engine.modelName ? 'Choose another model…' : 'Choose a model…', 'selectModel', { class: 'primary' })),
    el('p', { class: 'hint', text: 'Ask about your code. Attach the selection, the file or all open editors with the buttons below, or type #selection, #file or #editors.' }),
  );
}

function renderHistory(historyPanel: HTMLElement, s: ViewState): void {
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

function renderMeter(ui: Layout, meter: ViewState['meter']): void {
  const total = meter.total;
  const fraction = total ? Math.min(1, meter.used / total) : 0;
  ui.meterFill.style.width = `${Math.round(fraction * 100)}%`;
  ui.meter.classList.toggle('full', fraction > 0.85);
  ui.meter.setAttribute('aria-valuenow', String(meter.used));
  if (total) ui.meter.setAttribute('aria-valuemax', String(total));
  const words = total ? `${meter.used.toLocaleString()} / ${total.toLocaleString()} tokens` : `~${meter.used.toLocaleString()} tokens`;
  ui.meterText.textContent = meter.dropped > 0 ? `${words} · oldest ${meter.dropped} messages left out` : words;
  ui.meter.setAttribute('aria-valuetext', ui.meterText.textContent);
}

/** Whether the log is scrolled to (nearly) the end, so new content should keep it there. */
function nearBottom(log: HTMLElement): boolean {
  return log.scrollHeight - log.scrollTop - log.clientHeight < 40;
}

export class Renderer {
  constructor(
    private readonly ui: Layout,
    private readonly page: PageState,
  ) {}

  render(): void {
    const s = this.page.state;
    if (!s) return;
    const { ui } = this;
    ui.titleEl.textContent = s.title;
    const follow = nearBottom(ui.log);
    let lastUser = -1;
    let lastAnswer = -1;
    s.messages.forEach((m, i) => (m.role === 'user' ? (lastUser = i) : (lastAnswer = i)));
    ui.log.replaceChildren(...s.messages.map((m, i) => renderMessage(m, i === lastUser, i === lastAnswer, s.busy)));
    ui.emptyState.hidden = s.messages.length > 0;
    ui.log.hidden = s.messages.length === 0;
    if (s.messages.length === 0) renderEmpty(ui.emptyState, s);
    renderHistory(ui.historyPanel, s);
    ui.historyPanel.hidden = !this.page.historyOpen;

    ui.chips.replaceChildren(...s.chips.map((c) => el('span', { class: `chip ${c.kind}` },
      el('span', { text: c.label }),
      button('×', 'removeChip', { class: 'chip-remove', 'data-id': c.id, 'aria-label': `Remove ${c.label}` }))));
    ui.chips.hidden = s.chips.length === 0;

    ui.sendButton.hidden = s.busy;
    ui.stopButton.hidden = !s.busy;
    document.body.classList.toggle('busy', s.busy);
    ui.editBanner.hidden = !this.page.editing;

    renderMeter(ui, s.meter);
    if (follow) ui.log.scrollTop = ui.log.scrollHeight;
  }

  /** Replaces a streaming answer's body with the newer rendering the host sent. */
  applyStream(messageId: string, html: string): void {
    const { log } = this.ui;
    const article = log.querySelector<HTMLElement>(`article[data-id="${CSS.escape(messageId)}"]`);
    const body = article?.querySelector<HTMLElement>('.body');
    if (!body) return;
    const follow = nearBottom(log);
    renderAnswerBody(body, { id: messageId, role: 'assistant', html, status: 'streaming' });
    if (follow) log.scrollTop = log.scrollHeight;
  }
}
