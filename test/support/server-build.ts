// The hubs that tests start as child processes run the compiled server (dist/), as `npm start`
// does: under tsx each start spent about 1.4 s more CPU compiling its modules (3.6 s against
// 2.3 s to ready), and a full run starts some thirty of them on 2 cores. The sources stay the
// truth: the vitest global setup rebuilds dist/ (`npm run build:server`) whenever a server
// source, asset or build setting is newer than the build, so no test runs stale code.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The `citystream` command, compiled. */
export const DIST_CLI = join(ROOT, 'dist', 'cli', 'main.js');
/** What scripts/build-server.mjs compiles or copies (keep the two lists together). */
const SOURCE_DIRS = ['core', 'app', 'modules', 'stream', 'cli'];
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build-server.mjs'];
const BUILT = /(?<!\.test)\.ts$|\.(sql|geojson)$/;

/** Newest modification time of the server's inputs; directories count, so a deleted file does. */
function newestInput(): number {
  let newest = 0;
  for (const file of BUILD_INPUTS) newest = Math.max(newest, statSync(join(ROOT, file)).mtimeMs);
  for (const dir of SOURCE_DIRS) {
    newest = Math.max(newest, statSync(join(ROOT, dir)).mtimeMs);
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isDirectory() || BUILT.test(entry.name)) {
        newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
      }
    }
  }
  return newest;
}

export function serverBuildIsStale(): boolean {
  let builtMs: number;
  try {
    // build-server empties dist/ and compiles everything: its entry point dates the whole build.
    builtMs = statSync(DIST_CLI).mtimeMs;
  } catch {
    return true;
  }
  return newestInput() > builtMs;
}

/** Rebuilds dist/ when it is missing or older than the sources. */
export function ensureServerBuild(): void {
  if (!serverBuildIsStale()) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-server.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/** vitest globalSetup. */
export default function setup(): void {
  ensureServerBuild();
}
