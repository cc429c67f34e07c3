// Flat config: typescript-eslint's type-aware rules catch floating promises, the bug class
// that loses events in an async pipeline.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** One `no-restricted-imports` block per floor (a later block for a file would replace, not add). */
function floors(blocks) {
  return blocks.map(({ files, ignores, patterns, rule = 'no-restricted-imports' }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: { [rule]: ['error', { patterns }] },
  }));
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.services/', 'data/', 'coverage/', 'web/dist/', 'test/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Handlers are async by contract; many legitimately finish without awaiting.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  // kafkajs is reached through core/bus/kafkajs.ts, which puts this hub's fixes in place before
  // kafkajs's own modules load (kafkajs-grouping.ts). Before the floors: web/'s block, which uses
  // the same rule, replaces this one there (web/ never reaches kafkajs).
  {
    files: ['**/*.ts'],
    ignores: ['core/bus/kafkajs.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kafkajs',
              allowTypeImports: true,
              message: "Import kafkajs's values from core/bus/kafkajs.ts: it applies this hub's fixes first.",
            },
          ],
        },
      ],
    },
  },
  // The floors (docs/architecture.md): a folder may import only from the floors below it. Paths are
  // relative, so each pattern says how many `../` reach the repository root from that depth.
  ...floors([
    {
      files: ['core/**/*.ts'],
      patterns: [
        {
          regex: '^(\\.\\./)+(app|modules|stream|ingest|api|web|test)/',
          message:
            'core/ is the ground floor: it imports nothing from app/, modules/, stream/, web/ or test/.',
        },
      ],
    },
    // modules/<area>/*.ts and modules/<area>/<sub>/*.ts: core/ only, other modules by their index.ts
    ...[1, 2].map((depth) => ({
      files: [`modules/${'*/'.repeat(depth)}*.ts`],
      patterns: [
        {
          regex: `^(\\.\\./){${depth + 1},}(app|stream|ingest|api|test)/`,
          message: 'modules/ build on core/ only: app/ assembles them, stream/ is the gateway above them.',
        },
        {
          regex: `^${'\\.\\./'.repeat(depth)}(?!\\.\\.)[^/]+/(?!index\\.ts$)`,
          message: 'Another module is reached through its public index.ts, never its internals.',
        },
      ],
    })),
    {
      files: ['stream/**/*.ts'],
      patterns: [
        {
          regex: '^(\\.\\./)+(app|modules|ingest|api|web|test)/',
          message: 'stream/ is the generic gateway: it knows core/, never app/ or a feature module.',
        },
      ],
    },
    // web/ may take the API's response types from a module's index.ts, but only as `import type`
    // (erased by esbuild), so no server code reaches the bundle: typescript-eslint's variant of
    // the rule knows type-only imports.
    {
      files: ['web/**/*.ts'],
      rule: '@typescript-eslint/no-restricted-imports',
      patterns: [
        {
          regex:
            '^(\\.\\./)+(app|ingest|api|test)/|^(\\.\\./)+core/(?!domain/|events/)|^(\\.\\./)+stream/(?!client/)|^(\\.\\./)+modules/[^/]+/(?!index\\.ts$)',
          message:
            'web/ (the dashboard) imports only core/domain, core/events schemas, the stream/client SDK and types from modules/<area>/index.ts.',
        },
        {
          regex: '^(\\.\\./)+modules/[^/]+/index\\.ts$',
          allowTypeImports: true,
          message: 'web/ takes only types from a module (`import type`): its code is server code.',
        },
      ],
    },
  ]),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
