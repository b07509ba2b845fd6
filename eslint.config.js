// ESLint (flat config), run by `npm run lint` and so by `npm test`. Formatting is Prettier's job (.prettierrc); these
// are rules about correctness, plus the README's Layout rules about who may import what.
//
// Not type-aware on purpose: with typescript-eslint's type-checked rules `eslint .` took 62-106 s on this 2-core machine
// (building a TypeScript program per tsconfig), against 17-41 s without, and what they added was mostly `any` from
// TF.js and JSON; `npm run typecheck` already runs the compiler on every file.
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import reactHooks from 'eslint-plugin-react-hooks'
import reactRefresh from 'eslint-plugin-react-refresh'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const electronOnlyInShell = {
  name: 'electron',
  message: 'Only src/main/electron/ imports Electron: the rest of the studio runs, and is tested, in plain Node.',
}

export default defineConfig([
  globalIgnores([
    'out/',
    'dist/',
    'resources/runner/',
    'docs/',
    'tests/fixtures/',
    'tests/e2e/screenshots/',
    'projects/',
    // Generated from onnx.proto (npm run onnx-proto).
    'src/main/onnx/onnx-proto.js',
    'src/main/onnx/onnx-proto.d.ts',
    '.vitest-cache/',
    '.scratch*/',
  ]),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,

  // Which globals exist where (read by no-undef, which TypeScript files leave to the compiler): Node everywhere but the
  // UI (browser, below) and src/shared/ (neither: it runs on both sides).
  { ignores: ['src/shared/**', 'src/renderer/**'], languageOptions: { globals: globals.node } },

  {
    rules: {
      // `_`, `_name`: a value that must be taken (a positional argument, a key left out of a rest copy) but is not used.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `import type` (or an inline `type`) for what is only a type, so that isolatedModules builds drop it for sure.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // `== null` stands for "null or undefined"; every other comparison is strict.
      eqeqeq: ['error', 'smart'],
      'object-shorthand': 'error',
      'no-throw-literal': 'error',
      'no-self-compare': 'error',
      'array-callback-return': 'error',
      // Names and host names are checked for control characters on purpose (src/shared/api.ts): the rule cannot tell
      // a written-out \u0000-\u001f range from a stray character.
      'no-control-regex': 'off',
    },
  },

  // The layout: Electron stays in the shell; src/shared/ is pure TypeScript (no Node, no DOM) and, like the UI, never
  // reaches into src/main/.
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronOnlyInShell] }] },
  },
  {
    files: ['src/shared/**/*.ts', 'src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            { regex: '^node:', message: 'src/shared/ and the UI run in the browser too: no Node modules.' },
            { regex: '^(\\.\\./)+main/', message: 'The UI reaches the studio through the API (src/shared/api.ts).' },
          ],
        },
      ],
    },
  },

  // The UI: browser globals, the rules of hooks, and components that hot reload.
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended, reactRefresh.configs.vite],
    languageOptions: { globals: globals.browser },
    rules: {
      // A missing dependency is a stale value on screen.
      'react-hooks/exhaustive-deps': 'error',
      // The studio is not built with the React Compiler, which these rules prepare code for; they fire on two
      // deliberate patterns here: the latest value kept in a ref during render (read by long-lived listeners and by
      // answers that arrive later), and an effect that resets or loads state when what it shows changes.
      'react-hooks/refs': 'off',
      'react-hooks/set-state-in-effect': 'off',
      'react-hooks/incompatible-library': 'off',
    },
  },
  // Model code knows tensors and configs, never the project's database.
  {
    files: ['src/main/detector/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronOnlyInShell], patterns: [{ regex: '/store(/|$)', message: 'src/main/detector/ does not know the store.' }] },
      ],
    },
  },
  // Tests read the wire protocol's replies as loose JSON (the contract's zod schemas check them on the studio's side).
  { files: ['tests/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // End-to-end tests hand functions to page.evaluate, which run in the page.
  { files: ['tests/e2e/**/*.ts'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
])
