// Lint: typescript-eslint with type information, so floating promises are caught.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/**', 'dist/**', 'bin/**', 'eslint.config.js', '.mocharc.yml'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-properties': ['error', { object: 'process', property: 'exit', message: 'only the CLI entry may exit' }],
    },
  },
  {
    // The CLI entry, bench scripts and the kind twin's executables (fixtures/kind-twin) are the only places that print or exit.
    files: ['lib/cli/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'lib/sandbox/agent/main.ts', 'fixtures/kind-twin/**/*.ts'],
    rules: { 'no-console': 'off', 'no-restricted-properties': 'off' },
  },
  {
    // Production code never imports a test-only module: a test, a `*.testing.ts` file or anything in a `testing/`
    // folder (lib/architecture.test.ts checks the same for lib/; this catches it while editing). Tests and test
    // helpers themselves may.
    files: ['lib/**/*.ts', 'fixtures/policies/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.testing.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/testing/**', '**/*.testing.ts', '**/*.testing', '**/*.test.ts', '**/*.test'],
              message: 'test-only module: production code must not import tests, *.testing.ts files or testing/ folders',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'suites/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    // Development scripts in plain JavaScript run under Node.
    files: ['scripts/**/*.mjs', 'fixtures/kind-twin/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
);
