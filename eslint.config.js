import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import pupitre from './scripts/eslint/layering.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'bench/out/**', '.pupitre/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mjs,js}'],
    languageOptions: { globals: { ...globals.node } },
    plugins: { pupitre },
    rules: {
      'pupitre/layering': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'services read no process.env: inject settings from the composition root' },
      ],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Only the entry points (host, CLI, main, scripts, tests, tools) may read the environment.
    files: ['electron/host/**', 'electron/main/**', 'scripts/**', 'bin/**', 'bench/**', 'e2e/**', 'fixtures/**', '**/*.test.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
