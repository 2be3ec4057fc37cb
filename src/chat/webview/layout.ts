/** The webview's static layout: toolbar, history panel, message log, empty state, composer and a live region. */
import { button, el } from './dom';

export type Layout = ReturnType<typeof createLayout>;

export function createLayout(app: HTMLElement) {
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
  return { titleEl, historyPanel, log, emptyState, live, chips, meterFill, meter, meterText, editBanner, input, sendButton, stopButton };
}
