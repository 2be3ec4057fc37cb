// Lint rules for TypeScript sources; type checking itself is `tsc --noEmit` (npm run lint runs both).
// The import rules are the architecture: src/common is the floor everything stands on; the engine client and
// the worker stand side by side on it; src/editing is a service the capabilities share; the capabilities
// (completion, actions, chat) never import each other; nothing imports upward.
import tseslint from 'typescript-eslint';

const nodeLlamaCpp = { name: 'node-llama-cpp', message: 'Only src/worker loads node-llama-cpp, by dynamic import() (it is ESM and heavy).', allowTypeImports: true };
const vscodeRuntime = { name: 'vscode', message: 'This layer runs outside VS Code (worker, plain-Node tests, bench): type imports only.', allowTypeImports: true };

/** Folders (under src/) each layer may not import from. */
const layers = {
  common: { forbid: ['engine', 'worker', 'editing', 'completion', 'actions', 'chat', 'models', 'extension'], vscode: false },
  worker: { forbid: ['engine', 'editing', 'completion', 'actions', 'chat', 'extension'], vscode: false, llama: true },
  engine: { forbid: ['worker', 'editing', 'completion', 'actions', 'chat', 'extension'] },
  editing: { forbid: ['engine', 'worker', 'completion', 'actions', 'chat', 'extension'] },
  completion: { forbid: ['engine', 'worker', 'editing', 'actions', 'chat', 'extension'] },
  actions: { forbid: ['engine', 'worker', 'completion', 'chat', 'extension'] },
  chat: { forbid: ['engine', 'worker', 'completion', 'actions', 'extension'] },
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
    files: ['bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
