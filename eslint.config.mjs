// Lint rules for TypeScript sources; type checking itself is `tsc --noEmit` (npm run lint runs both).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.cache/**', '.test-run/**', '**/*.cjs', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', {
        paths: [{ name: 'node-llama-cpp', message: 'Only src/worker loads node-llama-cpp, by dynamic import() (it is ESM and heavy).', allowTypeImports: true }],
      }],
    },
  },
  {
    files: ['src/worker/**', 'bench/**'],
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
