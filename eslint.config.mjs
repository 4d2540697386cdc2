// @ts-check
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Workflow code runs in Temporal's deterministic sandbox: Node built-ins and I/O libraries
// would break replay, so they are banned there at lint time (the replay tests are the second guard).
const nodeBuiltins = [
  'fs',
  'fs/promises',
  'path',
  'crypto',
  'http',
  'https',
  'http2',
  'net',
  'tls',
  'dns',
  'os',
  'child_process',
  'worker_threads',
  'cluster',
  'dgram',
  'stream',
  'zlib',
  'readline',
  'process',
  'timers',
  'util',
  'v8',
  'vm',
  'perf_hooks',
  'async_hooks',
];
const ioLibraries = [
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@slack/web-api',
  '@microsoft/microsoft-graph-client',
  'undici',
  'pino',
  'fastify',
  'ssh2',
  'ssh2-sftp-client',
  'soap',
  'nodemailer',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'lib/', 'data/', '.temporal/', 'test/fixtures/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node }, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins.flatMap((m) => [m, `node:${m}`]), ...ioLibraries].map((name) => ({
            name,
            message: 'Workflow and domain code must be deterministic: no Node built-ins or I/O here.',
          })),
          patterns: [
            {
              group: ['**/activities/**', '!**/activities'],
              allowTypeImports: true,
              message: 'Import only activity types.',
            },
            {
              group: ['**/vendors/**', '**/config', '**/connectors', '**/client'],
              message: 'Workflows never reach vendors or config.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'require', 'setImmediate', 'Buffer'],
    },
  },
);
