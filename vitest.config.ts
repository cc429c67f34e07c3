import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Three projects, decided by one rule:
//   integration = test/**/*.test.ts (but test/unit/** and the "alone" files), plus any co-located
//                 *.test.ts that asks for a shared real service (it calls serviceAvailable from
//                 test/support/services.ts). These share one Kafka, InfluxDB, PostgreSQL and
//                 Mosquitto, each on its own topics, consumer groups, database and bucket, so two
//                 files run at a time: most of their time is spent waiting on those servers.
//   alone       = files that need the machine to themselves, run last, one at a time: the fault
//                 tests (test/*-fault.test.ts stop and restart a shared server) and the latency
//                 comparison of test/stream-backpressure.test.ts (a p99 measured while other files
//                 load both cores is noise, not a verdict).
//   unit        = every other *.test.ts: it builds what it needs in-process (PGlite, an in-memory
//                 bus, a hub on port 0, ffmpeg), so its files run in parallel. test/unit/ holds
//                 such tests that live under test/ because they use its contract suites or helpers.
// The rule reads the files, so a new co-located suite that reaches a shared service lands in
// the serial project without anyone editing this list.
const exclude = ['node_modules/**', 'dist/**', '.services/**'];
const root = fileURLToPath(new URL('.', import.meta.url));
const notSource = new Set(['node_modules', 'dist', 'test', 'data']);
const colocatedTests = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !notSource.has(d.name))
  .flatMap((d) =>
    readdirSync(join(root, d.name), { recursive: true, encoding: 'utf8' }).map((f) => join(d.name, f)),
  )
  .filter((f) => f.endsWith('.test.ts'));
const usesSharedService = (file: string) =>
  readFileSync(join(root, file), 'utf8').includes('serviceAvailable(');
const colocatedIntegration = colocatedTests.filter(usesSharedService);
const integration = ['test/**/*.test.ts', ...colocatedIntegration];
const unitUnderTest = 'test/unit/**/*.test.ts';
const alone = ['test/*-fault.test.ts', 'test/stream-backpressure.test.ts'];
// A file that measures its own process's heap (process.memoryUsage) needs a fresh process: in a
// reused worker the heap holds what earlier files left for the collector, which moved a peak
// bound of air-push-limits by 20 MiB. Those files run with the integration files, isolated.
const testFiles = [
  ...colocatedTests,
  ...readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' }).map((f) => join('test', f)),
].filter((f) => f.endsWith('.test.ts'));
const ownMemory = testFiles.filter((f) =>
  readFileSync(join(root, f), 'utf8').includes('process.memoryUsage('),
);

export default defineConfig({
  test: {
    exclude,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits 1 s by default: under CI load a page's live link or a re-render has taken
    // longer (web-dashboard waited on '#connection' open). A poll ends as soon as it holds.
    expect: { poll: { timeout: 10_000 } },
    globalSetup: ['test/support/web-build.ts', 'test/support/server-build.ts'],
    // verbose: CI's log names every test, so it shows which adapter (embedded, Kafka, InfluxDB...) each suite ran against
    reporters: ['verbose'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          // every test/ file but test/unit/'s, and the co-located suites that reach a shared service
          exclude: [...exclude, 'test/*.test.ts', 'test/!(unit)/**', ...colocatedIntegration, ...ownMemory],
          fileParallelism: true,
          // One module graph per worker instead of one per file: measured on the full run
          // (2026-12-04), 120 s of summed import time became 32 s and the run 55 s shorter.
          isolate: false,
          maxWorkers: 2,
          // unit files finish first, so the integration files never share the CPU with them
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          exclude: [...exclude, unitUnderTest, ...alone, ...ownMemory],
          fileParallelism: true,
          // Files leave no module state behind (each builds its own hub, bus and clients), so a
          // worker reuses the imported graph for its next file (see the unit project).
          isolate: false,
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'own-memory',
          include: ownMemory,
          exclude,
          // same group and workers as integration (vitest requires equal maxWorkers in a group)
          isolate: true,
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: alone,
          exclude,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
