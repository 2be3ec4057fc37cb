import * as fs from 'node:fs';
import * as path from 'node:path';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'hearth') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json of hearth not found above ${start}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot(__dirname);
export const workerPath = path.join(repoRoot, 'dist', 'worker.js');
export const modelsDir = process.env.HEARTH_MODELS_DIR ?? path.resolve(repoRoot, '..', 'shared', 'models');
/** A real trained model with no chat template and no FIM tokens. */
export const plainModel = path.join(modelsDir, 'stories260K.gguf');
/** The same model with FIM tokens and a Jinja chat template. */
export const fimChatModel = path.join(modelsDir, 'stories260K-fim-chat.gguf');
export const randomVocabModel = path.join(modelsDir, 'llama-2-tiny-random.gguf');
