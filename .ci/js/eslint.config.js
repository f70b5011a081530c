// @ts-check
// ESLint's flat config for the PWA's plain ES modules (browser), its service worker and
// its unit tests. Run from the repository's root: .ci/js/check (also part of .ci/test).
import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    files: ['pwa/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.browser },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
    },
  },
  {
    files: ['pwa/static/sw.js'],
    languageOptions: { sourceType: 'script', globals: globals.serviceworker },
  },
];
