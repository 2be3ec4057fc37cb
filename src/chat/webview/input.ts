/**
 * What the user does in the webview: Enter sends (or resends an edited question), Escape stops an answer, leaves
 * editing or closes the history, and every button is one delegated click handler keyed by its `data-action`.
 * Everything that acts goes to the host as a message; only the draft, the edit mode and the history panel are
 * handled here.
 */
import type { WebviewToHost } from '../messages';
import type { Layout } from './layout';
import { type PageState, submitAction } from './page';

export interface InputDeps {
  ui: Layout;
  page: PageState;
  post(message: WebviewToHost): void;
  /** Keeps the draft and the edit mode across the view being hidden. */
  save(): void;
  render(): void;
}

export function bindInput({ ui, page, post, save, render }: InputDeps): { hostStateArrived(): void } {
  const { input } = ui;

  const submit = (): void => {
    const text = input.value.trim();
    const action = submitAction(page, text);
    page.queued = action === 'queue';
    if (action !== 'send') return;
    post(page.editing ? { type: 'editLast', text } : { type: 'send', text });
    page.editing = false;
    input.value = '';
    save();
    render();
  };

  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', () => save());

  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    if (page.state?.busy) {
      e.preventDefault();
      post({ type: 'stop' });
    } else if (page.editing) {
      page.editing = false;
      input.value = '';
      save();
      render();
    } else if (page.historyOpen) {
      page.historyOpen = false;
      render();
    }
  });

  document.addEventListener('click', (e) => {
    // VS Code's own link handler (on the window, after this one) opens mailto: links at once: the host asks first.
    const link = (e.target as Element | null)?.closest('a[href]');
    const href = link?.getAttribute('href') ?? '';
    if (/^mailto:/i.test(href)) {
      e.preventDefault();
      e.stopPropagation();
      post({ type: 'openMailto', href });
      return;
    }
    const target = (e.target as Element | null)?.closest<HTMLElement>('[data-action]');
    if (!target) return;
    const action = target.dataset.action;
    const messageId = target.dataset.message ?? '';
    const block = Number(target.dataset.block ?? '0');
    switch (action) {
      case 'send': submit(); break;
      case 'stop': post({ type: 'stop' }); break;
      case 'newChat': page.editing = false; page.historyOpen = false; post({ type: 'newChat' }); input.focus(); break;
      case 'toggleHistory':
        page.historyOpen = !page.historyOpen;
        target.setAttribute('aria-expanded', String(page.historyOpen));
        render();
        break;
      case 'open': page.historyOpen = false; post({ type: 'openConversation', id: target.dataset.id ?? '' }); break;
      case 'delete': post({ type: 'deleteConversation', id: target.dataset.id ?? '' }); break;
      case 'regenerate': post({ type: 'regenerate' }); break;
      case 'edit': {
        const last = [...(page.state?.messages ?? [])].reverse().find((m) => m.role === 'user');
        page.editing = true;
        input.value = last?.text ?? '';
        save();
        render();
        input.focus();
        break;
      }
      case 'cancelEdit': page.editing = false; input.value = ''; save(); render(); break;
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

  return {
    /** The host's state has arrived: the page is live, and an Enter pressed before it is carried out now. */
    hostStateArrived(): void {
      page.live = true;
      if (page.queued) submit();
    },
  };
}
