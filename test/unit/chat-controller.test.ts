import * as assert from 'node:assert/strict';
import type { Attachment } from '../../src/chat/attachments';
import { ChatController, type ChatHost } from '../../src/chat/controller';
import type { ChatEvent } from '../../src/chat/events';
import { ConversationStore } from '../../src/chat/history';
import type { AttachmentKind, HostToWebview } from '../../src/chat/messages';
import { EngineError } from '../../src/common/errors';
import { FakeEngine } from '../support/fakeEngine';
import { MemoryStorage } from '../support/memoryStorage';


class FakeHost implements ChatHost {
  copied: string[] = [];
  inserted: string[] = [];
  applied: string[] = [];
  infos: string[] = [];
  modelPicks = 0;
  editorOpen = true;
  collect = async (kind: AttachmentKind): Promise<Attachment[]> =>
    this.editorOpen
      ? [{ id: `att-${kind}`, kind: kind === 'editors' ? 'editor' : kind, label: `${kind}.ts`, path: `${kind}.ts`, languageId: 'typescript', text: `// ${kind} text` }]
      : [];
  async copyText(text: string) { this.copied.push(text); }
  async insertAtCursor(code: string) { this.inserted.push(code); return this.editorOpen; }
  async applyToSelection(code: string) { this.applied.push(code); }
  async selectModel() { this.modelPicks++; }
  mailto: string[] = [];
  async openMailto(href: string) { this.mailto.push(href); }
  showInfo(message: string) { this.infos.push(message); }
}

function setup(storage = new MemoryStorage()) {
  const engine = new FakeEngine();
  const host = new FakeHost();
  const store = new ConversationStore(storage);
  const posted: HostToWebview[] = [];
  const events: ChatEvent[] = [];
  const controller = new ChatController({
    engine, store, host, streamIntervalMs: 1,
    settings: () => ({ maxTokens: 64, temperature: 0.5, systemPrompt: 'You are Hearth.' }),
  });
  controller.attachView({ post: (m) => posted.push(m) });
  controller.onEvent((e) => events.push(e));
  return { engine, host, store, storage, controller, posted, events };
}

/** Makes the host's context collection wait until the returned function is called. */
function holdCollect(host: FakeHost): () => void {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const collect = host.collect;
  host.collect = async (kind) => {
    await gate;
    return collect(kind);
  };
  return release;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 1));
}

const lastState = (posted: HostToWebview[]) => {
  const states = posted.filter((m) => m.type === 'state');
  const last = states.at(-1);
  assert.ok(last && last.type === 'state', 'no state posted');
  return last.state;
};

describe('chat controller (fake engine)', () => {
  it('streams an answer chunk by chunk, renders it, persists and announces it', async () => {
    const { engine, controller, posted, events, store } = setup();
    engine.replies = ['Use **fs.readFile**:\n\n```js\nfs.readFile(p)\n```'];
    engine.chunkSize = 3;
    engine.chunkDelayMs = 2;
    const turn = await controller.send('How do I read a file?');
    assert.equal(turn?.status, 'done');
    assert.equal(turn?.content, engine.replies[0]);
    const chunks = events.filter((e) => e.type === 'chunk');
    assert.ok(chunks.length > 5, `only ${chunks.length} chunks`);
    assert.equal(chunks.map((c) => (c.type === 'chunk' ? c.text : '')).join(''), engine.replies[0]);
    assert.ok(posted.some((m) => m.type === 'stream'), 'no streamed render posted');
    const state = lastState(posted);
    assert.equal(state.busy, false);
    assert.equal(state.messages.length, 2);
    assert.match(state.messages[1].html ?? '', /<strong>fs\.readFile<\/strong>/);
    assert.match(state.messages[1].html ?? '', /data-block="0"/);
    const announce = posted.filter((m) => m.type === 'announce').at(-1);
    assert.ok(announce?.type === 'announce' && /Hearth answered: Use/.test(announce.text));

    const call = engine.calls.find((c) => c.type === 'chat');
    assert.deepEqual(call?.messages?.map((m) => m.role), ['system', 'user']);
    assert.equal(call?.messages?.[1].content, 'How do I read a file?');
    assert.equal(call?.sampling?.temperature, 0.5);
    assert.equal(store.list().length, 1);
    assert.equal(store.get(controller.current.id)?.turns[1].content, engine.replies[0]);
  });

  it('sends earlier exchanges as history', async () => {
    const { engine, controller } = setup();
    engine.replies = ['first answer', 'second answer'];
    await controller.send('one');
    await controller.send('two');
    const second = engine.calls.filter((c) => c.type === 'chat')[1];
    assert.deepEqual(second.messages?.map((m) => `${m.role}:${m.content}`), [
      'system:You are Hearth.', 'user:one', 'assistant:first answer', 'user:two',
    ]);
  });

  it('stops within 100 ms and keeps the partial answer', async () => {
    const { engine, controller, events, posted } = setup();
    engine.replies = ['x'.repeat(10_000)];
    engine.chunkSize = 1;
    engine.chunkDelayMs = 5;
    const answer = controller.send('long please');
    await new Promise<void>((resolve) => controller.onEvent((e) => e.type === 'chunk' && resolve()));
    assert.equal(controller.busy, true);
    const t0 = performance.now();
    await controller.stop();
    const elapsed = performance.now() - t0;
    const turn = await answer;
    assert.ok(elapsed < 100, `stop took ${elapsed.toFixed(1)} ms`);
    assert.equal(turn?.status, 'stopped');
    assert.ok(turn && turn.content.length > 0 && turn.content.length < 10_000);
    assert.equal(controller.busy, false);
    const finished = events.find((e) => e.type === 'finished');
    assert.ok(finished?.type === 'finished' && finished.status === 'stopped');
    assert.ok(posted.some((m) => m.type === 'announce' && m.text === 'Answer stopped.'));
  });

  it('regenerates the last answer and edits and resends the last question', async () => {
    const { engine, controller } = setup();
    engine.replies = ['a1', 'a2', 'a3'];
    await controller.send('question');
    await controller.regenerate();
    assert.deepEqual(controller.current.turns.map((t) => t.content), ['question', 'a2']);
    await controller.editLast('better question');
    assert.deepEqual(controller.current.turns.map((t) => t.content), ['better question', 'a3']);
    const last = engine.calls.filter((c) => c.type === 'chat').at(-1);
    assert.equal(last?.messages?.at(-1)?.content, 'better question');
    assert.equal(last?.messages?.length, 2, 'the replaced exchange is not sent as history');
  });

  it('attaches context from chips and # mentions, then clears the chips', async () => {
    const { engine, controller, posted } = setup();
    assert.equal(await controller.attach('selection'), 1);
    assert.deepEqual(lastState(posted).chips.map((c) => c.label), ['selection.ts']);
    await controller.send('what does #file do?');
    const call = engine.calls.find((c) => c.type === 'chat');
    const content = call?.messages?.at(-1)?.content ?? '';
    assert.match(content, /\/\/ selection text/);
    assert.match(content, /\/\/ file text/);
    assert.match(content, /what does the file do\?$/);
    assert.deepEqual(lastState(posted).chips, []);
    assert.deepEqual(lastState(posted).messages[0].attachments, ['selection.ts', 'file.ts']);
  });

  it('removes a chip, and explains when there is nothing to attach', async () => {
    const { controller, host } = setup();
    await controller.attach('file');
    controller.removeAttachment('att-file');
    assert.equal(controller.attachments.length, 0);
    host.editorOpen = false;
    assert.equal(await controller.attach('selection'), 0);
    assert.match(host.infos.at(-1) ?? '', /Select some code/);
  });

  it('code block actions use the block the webview names, from the host-side text', async () => {
    const { engine, controller, host } = setup();
    engine.replies = ['```py\nprint(1)\n```\n\n```sh\nls\n```'];
    const turn = await controller.send('code');
    await controller.handleMessage({ type: 'codeAction', action: 'copy', messageId: turn!.id, block: 1 });
    await controller.handleMessage({ type: 'codeAction', action: 'insert', messageId: turn!.id, block: 0 });
    await controller.handleMessage({ type: 'codeAction', action: 'apply', messageId: turn!.id, block: 0 });
    await controller.handleMessage({ type: 'copyMessage', messageId: turn!.id });
    assert.deepEqual(host.copied, ['ls\n', engine.replies[0]]);
    assert.deepEqual(host.inserted, ['print(1)\n']);
    assert.deepEqual(host.applied, ['print(1)\n']);
    await controller.handleMessage({ type: 'codeAction', action: 'copy', messageId: turn!.id, block: 7 });
    assert.match(host.infos.at(-1) ?? '', /no longer available/);
  });

  it('code block actions only act on answers, never on code inside a question', async () => {
    const { engine, controller, host } = setup();
    engine.replies = ['no code here'];
    await controller.send('run this:\n```sh\nrm -rf ~\n```');
    const question = controller.current.turns.find((t) => t.role === 'user')!;
    await controller.handleMessage({ type: 'codeAction', action: 'insert', messageId: question.id, block: 0 });
    await controller.handleMessage({ type: 'codeAction', action: 'copy', messageId: question.id, block: 0 });
    assert.deepEqual(host.inserted, []);
    assert.deepEqual(host.copied, []);
    assert.match(host.infos.at(-1) ?? '', /no longer available/);
  });

  it('hands a mailto: link click to the host (which asks before opening); other schemes are rejected', async () => {
    const { controller, host } = setup();
    assert.equal(await controller.handleMessage({ type: 'openMailto', href: 'mailto:someone@example.com?subject=hi' }), true);
    assert.equal(await controller.handleMessage({ type: 'openMailto', href: 'command:workbench.action.terminal.new' }), false);
    assert.equal(await controller.handleMessage({ type: 'openMailto', href: `mailto:${'a'.repeat(3000)}` }), false);
    assert.deepEqual(host.mailto, ['mailto:someone@example.com?subject=hi']);
  });

  it('rejects invalid webview messages without acting', async () => {
    const { controller, engine, events } = setup();
    assert.equal(await controller.handleMessage({ type: 'send', text: 'hi', extra: 1 }), false);
    assert.equal(await controller.handleMessage({ type: 'exec', command: 'rm -rf' }), false);
    assert.equal(engine.calls.length, 0);
    assert.equal(events.filter((e) => e.type === 'rejectedMessage').length, 2);
  });

  it('new chat, history reopen and delete; the current conversation survives a reload', async () => {
    const storage = new MemoryStorage();
    const first = setup(storage);
    first.engine.replies = ['answer'];
    await first.controller.send('remember me');
    const id = first.controller.current.id;
    await first.controller.newChat();
    assert.notEqual(first.controller.current.id, id);
    assert.equal(first.controller.current.turns.length, 0);
    await first.controller.handleMessage({ type: 'openConversation', id });
    assert.equal(first.controller.current.turns[0].content, 'remember me');
    first.controller.dispose();

    // A new controller on the same storage is what a window reload gives.
    const second = setup(storage);
    assert.equal(second.controller.current.id, id);
    assert.deepEqual(second.controller.history().map((h) => h.title), ['remember me']);
    await second.controller.handleMessage({ type: 'deleteConversation', id });
    assert.equal(second.controller.history().length, 0);
    assert.notEqual(second.controller.current.id, id);
  });

  it('shows an engine failure in the answer and reports it', async () => {
    const engine = new FakeEngine();
    engine.chat = async () => { throw new EngineError('MODEL_NOT_FOUND', 'No model file at /x.gguf'); };
    const reported: unknown[] = [];
    const controller = new ChatController({
      engine, store: new ConversationStore(new MemoryStorage()), host: new FakeHost(), reportError: (e) => reported.push(e),
      settings: () => ({ maxTokens: 64, temperature: 0.5, systemPrompt: '' }),
    });
    const turn = await controller.send('hello');
    assert.equal(turn?.status, 'error');
    assert.match(turn?.error ?? '', /No model file/);
    assert.equal(reported.length, 1);
    assert.equal(controller.busy, false);
  });

  it('meters the context in use against the model context size', async () => {
    const { engine, controller } = setup();
    engine.contextSize = 256;
    engine.replies = ['y '.repeat(200)];
    await controller.send('q');
    const meter = await controller.updateMeter();
    assert.equal(meter.total, 256);
    assert.ok(meter.used > 0 && meter.used <= 256, `used ${meter.used}`);
    engine.replies = ['z '.repeat(200)];
    await controller.send('q2');
    const after = await controller.updateMeter();
    assert.ok(after.dropped > 0, 'the oldest exchange should no longer fit');
    const call = engine.calls.filter((c) => c.type === 'chat').at(-1);
    assert.ok((call?.sampling?.maxTokens ?? 0) <= 128);
  });

  it('two sends in the same tick start one answer; the second is refused', async () => {
    const { engine, controller, events } = setup();
    engine.replies = ['only once'];
    engine.chunkDelayMs = 1;
    const [first, second] = await Promise.all([controller.send('hello'), controller.send('hello')]);
    assert.equal(first?.status, 'done');
    assert.equal(second, undefined);
    assert.equal(engine.calls.filter((c) => c.type === 'chat').length, 1);
    assert.equal(events.filter((e) => e.type === 'started').length, 1);
    assert.deepEqual(controller.current.turns.map((t) => t.content), ['hello', 'only once']);
  });

  it('a double Send from the webview, even with # mentions still being collected, gives one answer', async () => {
    const { engine, controller, host } = setup();
    const release = holdCollect(host);
    const sent = [controller.handleMessage({ type: 'send', text: 'what is #file?' }), controller.handleMessage({ type: 'send', text: 'what is #file?' })];
    assert.equal(controller.busy, true, 'busy while the first answer is being prepared');
    release();
    await Promise.all(sent);
    await waitUntil(() => !controller.busy);
    assert.equal(engine.calls.filter((c) => c.type === 'chat').length, 1);
    assert.equal(controller.current.turns.length, 2);
  });

  it('two regenerates in the same tick give one new answer', async () => {
    const { engine, controller, events } = setup();
    engine.replies = ['a1', 'a2', 'a3'];
    await controller.send('question');
    const [first] = await Promise.all([controller.regenerate(), controller.handleMessage({ type: 'regenerate' })]);
    assert.equal(first?.content, 'a2');
    assert.equal(engine.calls.filter((c) => c.type === 'chat').length, 2);
    assert.equal(events.filter((e) => e.type === 'started').length, 2);
    assert.deepEqual(controller.current.turns.map((t) => t.content), ['question', 'a2']);
  });

  it('stop after a double send leaves nothing running', async () => {
    const { engine, controller, events } = setup();
    engine.replies = ['x'.repeat(10_000)];
    engine.chunkSize = 1;
    engine.chunkDelayMs = 5;
    const answers = [controller.send('long'), controller.send('long')];
    await controller.stop();
    const [first, second] = await Promise.all(answers);
    assert.equal(controller.busy, false);
    assert.equal(first?.status, 'stopped');
    assert.equal(second, undefined);
    const started = events.filter((e) => e.type === 'started').length;
    const finished = events.filter((e) => e.type === 'finished').length;
    assert.equal(started, 1);
    assert.equal(finished, started, 'every started answer has ended');
    // Nothing streams after the stop.
    const chunksAtStop = events.filter((e) => e.type === 'chunk').length;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(events.filter((e) => e.type === 'chunk').length, chunksAtStop);
  });

  it('a stop while the question is being prepared stops its answer as soon as it starts, and resolves after', async () => {
    const { engine, controller, host } = setup();
    engine.replies = ['x'.repeat(10_000)];
    engine.chunkDelayMs = 5;
    const release = holdCollect(host);
    const answer = controller.send('explain #file');
    const stopped = controller.stop();
    release();
    await stopped;
    assert.equal(controller.busy, false, 'nothing runs once stop has resolved');
    assert.equal((await answer)?.status, 'stopped');
    assert.equal(controller.current.turns[0].content, 'explain the file', 'the question is kept');
  });

  it('follows the engine state in the view', async () => {
    const { engine, posted } = setup();
    engine.setState({ kind: 'loading', modelName: 'tiny.gguf' });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(lastState(posted).engine.kind, 'loading');
    assert.equal(lastState(posted).engine.modelName, 'tiny.gguf');
  });
});
