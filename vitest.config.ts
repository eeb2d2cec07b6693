import { defineConfig } from 'vitest/config';

const common = { environment: 'node' as const, testTimeout: 30_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...common,
          name: 'unit',
          include: ['electron/**/*.test.ts', 'native/**/*.test.ts', 'fixtures/**/*.test.ts', 'renderer/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.conformance.test.ts', '**/*.hw.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: { ...common, name: 'conformance', include: ['**/*.conformance.test.ts'], exclude: ['**/node_modules/**'] },
      },
      {
        test: {
          ...common,
          name: 'hardware',
          include: ['**/*.hw.test.ts'],
          exclude: ['**/node_modules/**'],
          // One pcscd, two vpcd slots: hardware tests share them, so they run one file at a time.
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          ...common,
          name: 'e2e',
          include: ['e2e/**/*.e2e.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
