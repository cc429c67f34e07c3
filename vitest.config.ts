import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Four projects, decided by rules that read the test files:
//   integration = test/**/*.test.ts (but test/unit/**, the "alone" and the "heap" files),
//                 plus any co-located *.test.ts that asks for a shared real service (it calls
//                 serviceAvailable from test/support/services.ts). These share one Kafka,
//                 InfluxDB, PostgreSQL and Mosquitto, each file on its own topics, consumer
//                 groups, database and bucket.
//   unit        = every other *.test.ts: it builds what it needs in-process (PGlite, an in-memory
//                 bus, a hub on port 0, ffmpeg). test/unit/ holds such tests that live under test/
//                 because they use its contract suites or helpers.
//   heap        = a file that measures its own process's heap (process.memoryUsage): isolated.
//   alone       = files that need the machine to themselves, run last, one at a time: a fault
//                 test that stops and restarts a shared server (it calls stopService from
//                 test/support/control.ts; none does today: the Kafka and InfluxDB outage tests
//                 start private servers, startPrivateKafka and startPrivateInfluxd, and run with
//                 the integration files) and the latency comparison
//                 of test/stream-backpressure.test.ts (a p99 measured while other files load both
//                 cores is noise, not a verdict).
// heap, integration and unit run as one group, five files at a time: the machine has 2 cores,
// but the files often wait on a server, a browser or real time, and the extra workers fill that
// (full runs on this machine, 2026-12-05: 282 s with three workers, 265 s with four; 2026-12-06,
// on slower cores: four 203-225 s, five 187-204 s, six 192 s). A new suite lands in the right
// project without anyone editing a list.
const exclude = ['node_modules/**', 'dist/**', '.services/**'];
const root = fileURLToPath(new URL('.', import.meta.url));
const notSource = new Set(['node_modules', 'dist', 'test', 'data']);
const colocatedTests = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !notSource.has(d.name))
  .flatMap((d) =>
    readdirSync(join(root, d.name), { recursive: true, encoding: 'utf8' }).map((f) => join(d.name, f)),
  )
  .filter((f) => f.endsWith('.test.ts'));
const testFiles = [
  ...colocatedTests,
  ...readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' }).map((f) => join('test', f)),
].filter((f) => f.endsWith('.test.ts'));
// Each rule below reads a file's text: read every test file once.
const sources = new Map(testFiles.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
const calls = (file: string, call: string) => sources.get(file)!.includes(call);
const colocatedIntegration = colocatedTests.filter((f) => calls(f, 'serviceAvailable('));
const integration = ['test/**/*.test.ts', ...colocatedIntegration];
const unitUnderTest = 'test/unit/**/*.test.ts';
const alone = [...testFiles.filter((f) => calls(f, 'stopService(')), 'test/stream-backpressure.test.ts'];
// A file that measures its own process's heap (process.memoryUsage) needs a fresh process: in a
// reused worker the heap holds what earlier files left for the collector, which moved a peak
// bound of air-push-limits by 20 MiB. Those files run with the integration files, isolated.
const heap = testFiles.filter((f) => calls(f, 'process.memoryUsage('));

export default defineConfig({
  // vitest orders each project's files by how long they took last time (longest first) and
  // falls back to file size without that record. The record lives outside the checkout, as
  // scripts/services keeps its builds, so a fresh clone on this machine (CI) starts the long
  // files first too instead of leaving a small but slow one (cameras-gop, 28 s) to the end.
  cacheDir: join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'citystream', 'vite'),
  test: {
    exclude,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits 1 s by default: under CI load a page's live link or a re-render has taken
    // longer (web-dashboard waited on '#connection' open). A poll ends as soon as it holds.
    expect: { poll: { timeout: 10_000 } },
    globalSetup: ['test/support/temp-dir.ts', 'test/support/web-build.ts', 'test/support/server-build.ts'],
    // verbose: CI's log names every test, so it shows which adapter (embedded, Kafka, InfluxDB...) each suite ran against
    reporters: ['verbose'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          // every test/ file but test/unit/'s, and the co-located suites that reach a shared service
          exclude: [...exclude, 'test/*.test.ts', 'test/!(unit)/**', ...colocatedIntegration, ...heap],
          fileParallelism: true,
          // One module graph per worker instead of one per file: measured on the full run
          // (2026-12-04), 120 s of summed import time became 32 s and the run 55 s shorter.
          isolate: false,
          // vitest runs a group's projects together only when their maxWorkers are equal
          maxWorkers: 5,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          exclude: [...exclude, unitUnderTest, ...alone, ...heap],
          fileParallelism: true,
          // Files leave no module state behind (each builds its own hub, bus and clients), so a
          // worker reuses the imported graph for its next file (see the unit project).
          isolate: false,
          maxWorkers: 5,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // vitest hands out a group's files project by project in name order: "heap" before
          // "integration", so this 30 s file does not start last and run on alone at the end.
          name: 'heap',
          include: heap,
          exclude,
          // same group and workers as integration (vitest requires equal maxWorkers in a group)
          isolate: true,
          maxWorkers: 5,
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
