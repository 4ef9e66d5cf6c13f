import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'web/dist/**', 'bench/.data/**', 'src/**/*.as.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a string-literal union.' }],
    },
  },
  {
    // The core is the pure domain: no I/O, no clock, nothing of the outer layers (DEVELOPERS.md).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads'], message: 'src/core does no I/O.' },
          { group: ['**/ingest/**', '**/db/**', '**/app/**', '**/api/**', '**/cli/**', '**/config*'], message: 'src/core imports nothing from the outer layers.' },
        ],
      }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'src/core has no clock: take the date as input.' }],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/core reads no environment.' }],
    },
  },
  {
    files: ['src/ingest/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/db/**', '**/app/**', '**/api/**', '**/cli/**'], message: 'src/ingest depends only on src/core.' }],
      }],
    },
  },
  {
    // The web app runs in the browser: its globals, not Node's.
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
