/** Discovery over temporary trees laid out like each store, holding the real fixture models. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverModels, type DiscoveredModel } from '../../src/models/discovery';
import { extractLlamafile, findEmbeddedGguf } from '../../src/models/llamafile';
import { readGgufHeader } from '../../src/common/gguf/ggufHeader';
import { tinyModel } from '../support/ggufBytes';
import { fimChatModel, plainModel, randomVocabModel } from '../support/paths';
import { llamafileBytes } from '../support/zipBytes';

const FIM_DIGEST = 'b2b6380ad5a6078bd7ea869d241ea0c73f51d2d1f39f741d288f7315c31eed4d';

function put(file: string, content: Buffer | string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

function link(target: string, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.symlinkSync(target, file);
}

describe('models: discovery', function () {
  this.timeout(20_000);
  let root: string;
  let home: string;
  let extra: string;
  let found: DiscoveredModel[];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-discovery-'));
    home = path.join(root, 'home');
    extra = path.join(root, 'extra');

    // Hugging Face: snapshots link into blobs; two revisions share a blob; a later split part and a projector are not models.
    const repo = path.join(home, '.cache', 'huggingface', 'hub', 'models--karpathy--tinyllamas');
    fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
    fs.copyFileSync(plainModel, path.join(repo, 'blobs', '270cba1b'));
    link('../../blobs/270cba1b', path.join(repo, 'snapshots', 'rev1', 'stories260K.gguf'));
    link('../../../blobs/270cba1b', path.join(repo, 'snapshots', 'rev2', 'sub', 'stories260K.gguf'));
    put(path.join(repo, 'refs', 'main'), 'rev1\n');
    put(path.join(repo, 'snapshots', 'rev1', 'big-00002-of-00002.gguf'), 'second part');
    put(path.join(repo, 'snapshots', 'rev1', 'mmproj-f16.gguf'), 'projector');
    put(path.join(home, '.cache', 'huggingface', 'hub', 'datasets--x--y', 'snapshots', 'r', 'data.gguf'), 'not a model repo');

    // Ollama: a manifest names the model layer's blob; a manifest with a crafted digest points nowhere.
    const ollama = path.join(home, '.ollama', 'models');
    fs.mkdirSync(path.join(ollama, 'blobs'), { recursive: true });
    fs.copyFileSync(fimChatModel, path.join(ollama, 'blobs', `sha256-${FIM_DIGEST}`));
    const manifest = (digest: string) => JSON.stringify({
      schemaVersion: 2,
      layers: [
        { mediaType: 'application/vnd.ollama.image.template', digest: 'sha256:' + '1'.repeat(64), size: 10 },
        { mediaType: 'application/vnd.ollama.image.model', digest, size: 1187392 },
      ],
    });
    put(path.join(ollama, 'manifests', 'registry.ollama.ai', 'library', 'tinystories', 'fim'), manifest(`sha256:${FIM_DIGEST}`));
    put(path.join(ollama, 'manifests', 'registry.ollama.ai', 'library', 'evil', 'latest'), manifest('sha256:../../../../etc/passwd'));
    put(path.join(ollama, 'manifests', 'registry.ollama.ai', 'library', 'garbled', 'latest'), '{ not json');

    // LM Studio: publisher/repo/file.
    link(randomVocabModel, path.join(home, '.lmstudio', 'models', 'testpub', 'tiny-random-GGUF', 'llama-2-tiny-random.gguf'));

    // A folder the user listed: a model, a broken file, a llamafile, a link out of the folder, and a deep file.
    put(path.join(extra, 'mine', 'tiny.gguf'), tinyModel({ name: 'mine', fim: true }));
    put(path.join(extra, 'broken.gguf'), 'this is not a model');
    put(path.join(extra, 'stories.llamafile'), llamafileBytes([
      { name: '.args', data: Buffer.from('-m\nstories.gguf\n') },
      { name: 'stories.gguf', data: fs.readFileSync(fimChatModel) },
    ]));
    const outside = path.join(root, 'outside');
    put(path.join(outside, 'secret.gguf'), tinyModel({ name: 'outside' }));
    fs.symlinkSync(outside, path.join(extra, 'linked-dir'));
    put(path.join(extra, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'deep.gguf'), tinyModel({ name: 'deep' }));

    found = await discoverModels({ env: {}, home, extraFolders: [extra] });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const bySource = (source: string) => found.filter((m) => m.source === source);

  it('finds the Hugging Face cache model once, by its repo id, at its blob', () => {
    const hf = bySource('huggingface');
    assert.equal(hf.length, 1, JSON.stringify(hf));
    assert.equal(hf[0].repo, 'karpathy/tinyllamas');
    assert.equal(hf[0].displayName, 'karpathy/tinyllamas/stories260K.gguf');
    assert.equal(fs.realpathSync(hf[0].path), hf[0].path);
    assert.match(hf[0].path, /blobs[\\/]270cba1b$/);
    assert.equal(hf[0].sizeBytes, fs.statSync(plainModel).size);
    assert.equal(hf[0].facts?.architecture, 'llama');
    assert.equal(hf[0].facts?.supportsFim, false);
  });

  it("finds Ollama's model by its real name, and ignores manifests that point nowhere", () => {
    const ollama = bySource('ollama');
    assert.equal(ollama.length, 1, JSON.stringify(ollama));
    assert.equal(ollama[0].displayName, 'tinystories:fim');
    assert.equal(path.basename(ollama[0].path), `sha256-${FIM_DIGEST}`);
    assert.equal(ollama[0].facts?.supportsFim, true);
    assert.equal(ollama[0].facts?.hasChatTemplate, true);
  });

  it('finds the LM Studio model as publisher/repo', () => {
    const lm = bySource('lmstudio');
    assert.equal(lm.length, 1);
    assert.equal(lm[0].repo, 'testpub/tiny-random-GGUF');
    assert.equal(lm[0].displayName, 'testpub/tiny-random-GGUF/llama-2-tiny-random.gguf');
    assert.equal(lm[0].facts?.vocabSize, 32000);
  });

  it('finds the llamafile and reads the GGUF inside it', () => {
    const lf = bySource('llamafile');
    assert.equal(lf.length, 1);
    assert.equal(lf[0].displayName, 'stories');
    assert.equal(lf[0].sizeBytes, fs.statSync(fimChatModel).size);
    assert.ok(lf[0].embedded && lf[0].embedded.start > 4096);
    assert.equal(lf[0].facts?.name, 'stories260K-fim-chat (derived test fixture)');
  });

  it('lists a broken file with its error instead of throwing', () => {
    const broken = found.find((m) => m.displayName === 'broken.gguf');
    assert.ok(broken);
    assert.equal(broken.facts, undefined);
    assert.match(broken.error ?? '', /not a GGUF model/);
  });

  it('stays inside the listed folder and within the depth limit', () => {
    const names = bySource('folder').map((m) => m.displayName).sort();
    assert.deepEqual(names, ['broken.gguf', 'mine/tiny.gguf']);
    assert.equal(found.find((m) => m.displayName === 'mine/tiny.gguf')?.facts?.supportsFim, true);
  });

  it('reads HF_HUB_CACHE and OLLAMA_MODELS', async () => {
    const hub = path.join(root, 'elsewhere-hub');
    link(plainModel, path.join(hub, 'models--someone--model', 'snapshots', 'r', 'm.gguf'));
    const models = await discoverModels({ env: { HF_HUB_CACHE: hub, OLLAMA_MODELS: path.join(root, 'none') }, home: path.join(root, 'nohome'), extraFolders: [] });
    assert.deepEqual(models.map((m) => [m.source, m.repo]), [['huggingface', 'someone/model']]);
  });

  it('visits no more entries than allowed', async () => {
    const many = path.join(root, 'many');
    for (let i = 0; i < 50; i++) put(path.join(many, `m${String(i).padStart(2, '0')}.gguf`), tinyModel({ name: `m${i}` }));
    const all = await discoverModels({ env: {}, home: path.join(root, 'nohome'), extraFolders: [many] });
    assert.equal(all.length, 50);
    const capped = await discoverModels({ env: {}, home: path.join(root, 'nohome'), extraFolders: [many], maxEntries: 10 });
    assert.ok(capped.length <= 10, `${capped.length}`);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(discoverModels({ env: {}, home, extraFolders: [extra], signal: controller.signal }), (e: unknown) => e instanceof Error && e.name === 'CancelledError');
  });

  describe('llamafiles', () => {
    it('copies the GGUF out once, and again only when the llamafile changes', async () => {
      const llamafile = path.join(extra, 'stories.llamafile');
      const dest = path.join(root, 'extracted');
      const first = await extractLlamafile(llamafile, dest);
      assert.deepEqual(fs.readFileSync(first), fs.readFileSync(fimChatModel));
      const written = fs.statSync(first).mtimeMs;
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(await extractLlamafile(llamafile, dest), first);
      assert.equal(fs.statSync(first).mtimeMs, written, 'extracted again');
      fs.utimesSync(llamafile, new Date(), new Date(Date.now() + 5000));
      const second = await extractLlamafile(llamafile, dest);
      assert.notEqual(second, first);
      assert.equal((await readGgufHeader(second)).tensorCount, 48);
      assert.deepEqual(fs.readdirSync(dest).filter((n) => n.endsWith('.partial')), []);
    });

    it('finds the entry when the zip counts offsets from its own start', async () => {
      const gguf = tinyModel({ name: 'glued' });
      const file = put(path.join(root, 'glued.llamafile'), llamafileBytes([{ name: 'm.gguf', data: gguf }], { relativeOffsets: true }));
      const embedded = await findEmbeddedGguf(file);
      assert.equal(embedded.length, gguf.length);
      assert.deepEqual(fs.readFileSync(file).subarray(embedded.start, embedded.start + embedded.length), gguf);
    });

    it('refuses a llamafile without a model, a compressed model, or a lying directory', async () => {
      const noModel = put(path.join(root, 'nomodel.llamafile'), llamafileBytes([{ name: '.args', data: Buffer.from('x') }]));
      await assert.rejects(findEmbeddedGguf(noModel), /holds no \.gguf model/);
      const bytes = llamafileBytes([{ name: 'm.gguf', data: tinyModel() }]);
      const compressed = Buffer.from(bytes);
      const dirAt = compressed.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      compressed.writeUInt16LE(8, dirAt + 10); // method: deflate
      await assert.rejects(findEmbeddedGguf(put(path.join(root, 'deflated.llamafile'), compressed)), /compressed/);
      const lying = Buffer.from(bytes);
      lying.writeUInt32LE(0x7fffffff, lying.length - 22 + 12); // directory size
      await assert.rejects(findEmbeddedGguf(put(path.join(root, 'lying.llamafile'), lying)), /zip directory claims/);
      await assert.rejects(findEmbeddedGguf(put(path.join(root, 'plain.llamafile'), 'just text')), /no zip directory/);
    });
  });
});
