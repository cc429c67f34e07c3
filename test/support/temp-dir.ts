// vitest globalSetup: everything a test run writes under the system temp directory (hub data
// directories with their PGlite databases, about 45 MB each; camera segments; configs; browser
// profiles) goes into one directory of this run, removed when the run ends. Before, a full run
// left about 850 MB in /tmp and repeated runs filled the disk. The workers inherit TMPDIR, so
// os.tmpdir() answers this directory in every test; hubs started as processes get it too
// (test/support/hub-process.ts). CITYSTREAM_KEEP_TEST_TMP=1 keeps it to look at after a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listProcesses } from './processes.ts';

// Each vitest project runs the global setup: the first makes the directory, the others keep it
// (nesting one in another made paths too long for Chromium's socket).
const RUN_TMPDIR = Symbol.for('citystream.test.tmpdir');
type WithRunDir = typeof globalThis & { [RUN_TMPDIR]?: string };

export default function setup(): (() => void) | undefined {
  const global = globalThis as WithRunDir;
  if (global[RUN_TMPDIR]) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'citystream-test-'));
  global[RUN_TMPDIR] = dir;
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.CITYSTREAM_KEEP_TEST_TMP === '1') {
      console.info(`test files kept in ${dir}`);
      return;
    }
    stopServersIn(dir);
    rmSync(dir, { recursive: true, force: true });
  };
}

/**
 * A private server a test started (a Kafka broker, an influxd: test/support/control.ts) runs in
 * its own session with its data under the run's directory; when its file died before afterAll,
 * it would outlive the run holding its ports. Any process whose command line names the
 * directory is ended here (SIGKILL: its data is about to be deleted anyway).
 */
function stopServersIn(dir: string): void {
  for (const p of listProcesses()) {
    if (p.pid === process.pid || !p.args.join(' ').includes(`${dir}/`)) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
