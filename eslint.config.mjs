/**
 * ESLint for src/ (flat config, after the JupyterLab extension template): the recommended JavaScript and
 * typescript-eslint rules, prettier's config to leave formatting to prettier (`jlpm lint` runs
 * `prettier --check`), the naming the code follows (interfaces `I…`), and the direction of imports: a feature
 * folder imports only api/ and common/ (and tokens.ts), common/ no feature, api/ nothing else of ours.
 * src/api/schema.d.ts is generated (`jlpm generate:api`) and not linted.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const FEATURES = ['runs', 'models', 'pipelines', 'compute'];

/**
 * Refuse imports of these folders of src/ (paths relative to a folder of src/).
 */
function refuse(folders, message) {
  return {
    'no-restricted-imports': ['error', { patterns: [{ group: folders.map(folder => `../${folder}/*`), message }] }]
  };
}

export default defineConfig(
  { ignores: ['lib/', 'node_modules/', 'jupyter_mlext/', 'ui-tests/', 'src/api/schema.d.ts'] },
  {
    files: ['src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, prettier],
    languageOptions: {
      globals: { ...globals.browser }
    },
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'interface', format: ['PascalCase'], custom: { regex: '^I[A-Z]', match: true } }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }],
      '@typescript-eslint/no-namespace': 'off',
      eqeqeq: 'error',
      curly: ['error', 'all'],
      'prefer-arrow-callback': 'error'
    }
  },
  ...FEATURES.map(feature => ({
    files: [`src/${feature}/**/*.ts`],
    rules: refuse(
      FEATURES.filter(other => other !== feature),
      'a feature folder imports only api/ and common/'
    )
  })),
  {
    files: ['src/common/**/*.ts'],
    rules: refuse(FEATURES, 'common/ serves every feature and imports none')
  },
  {
    files: ['src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*', '!../api'], message: 'api/ is the bottom layer: it imports only api/' }] }
      ]
    }
  },
  {
    files: ['src/**/__tests__/**/*.ts'],
    languageOptions: {
      globals: { ...globals.jest, ...globals.node }
    }
  }
);
