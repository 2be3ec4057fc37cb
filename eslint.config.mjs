// Lint rules for TypeScript sources; type checking itself is `tsc --noEmit` (npm run lint runs both).
// The import rules are the architecture: src/common is the floor everything stands on; the engine client and
// the worker stand side by side on it; src/editing is a service the capabilities share; the capabilities
// (completion, actions, chat, models) never import each other; nothing imports upward.
import tseslint from 'typescript-eslint';

const nodeLlamaCpp = { name: 'node-llama-cpp', message: 'Only src/worker loads node-llama-cpp, by dynamic import() (it is ESM and heavy).', allowTypeImports: true };
const vscodeRuntime = { name: 'vscode', message: 'This layer runs outside VS Code (worker, plain-Node tests, bench): type imports only.', allowTypeImports: true };

/** Folders (under src/) each layer may not import from. */
const layers = {
  common: { forbid: ['engine', 'worker', 'editing', 'completion', 'actions', 'chat', 'models', 'extension'], vscode: false },
  worker: { forbid: ['engine', 'editing', 'completion', 'actions', 'chat', 'models', 'extension'], vscode: false, llama: true },
  engine: { forbid: ['worker', 'editing', 'completion', 'actions', 'chat', 'models', 'extension'] },
  editing: { forbid: ['engine', 'worker', 'completion', 'actions', 'chat', 'models', 'extension'] },
  completion: { forbid: ['engine', 'worker', 'editing', 'actions', 'chat', 'models', 'extension'] },
  actions: { forbid: ['engine', 'worker', 'completion', 'chat', 'models', 'extension'] },
  chat: { forbid: ['engine', 'worker', 'completion', 'actions', 'models', 'extension'] },
  models: { forbid: ['engine', 'worker', 'editing', 'completion', 'actions', 'chat', 'extension'] },
};

function layerRules(name, layer) {
  const paths = [...(layer.llama ? [] : [nodeLlamaCpp]), ...(layer.vscode === false ? [vscodeRuntime] : [])];
  const patterns = layer.forbid.map((other) => ({
    group: [`../${other}`, `../${other}/*`, `../../${other}/*`],
    message: `src/${name} may not import src/${other}: ${name === 'common' ? 'the contract floor stands on nothing above it' : 'the layers depend one way (see README: Architecture)'}.`,
  }));
  return { files: [`src/${name}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.cache/**', '.test-run/**', '**/*.cjs', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', { paths: [nodeLlamaCpp] }],
    },
  },
  ...Object.entries(layers).map(([name, layer]) => layerRules(name, layer)),
  {
    // The remote engine's client runs in the bench and in plain-Node tests as in the editor.
    files: ['src/engine/remote/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [nodeLlamaCpp, vscodeRuntime],
        patterns: ['worker', 'editing', 'completion', 'actions', 'chat', 'models', 'extension'].map((other) => ({
          group: [`../../${other}`, `../../${other}/*`],
          message: `src/engine/remote may not import src/${other}: the layers depend one way (see README: Architecture).`,
        })),
      }],
    },
  },
  {
    files: ['bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The chat webview is a browser script: it may import pure shared modules, never the VS Code API or Node.
    files: ['src/chat/webview/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview runs in a browser frame: talk to the extension host by message.' }],
        patterns: [{ group: ['node:*', 'node-llama-cpp'], message: 'The webview runs in a browser frame: no Node modules.' }],
      }],
    },
  },
);
