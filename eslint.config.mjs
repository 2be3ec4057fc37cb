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
);
