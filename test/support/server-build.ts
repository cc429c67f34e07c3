// The hubs that tests start as child processes run the compiled server (dist/), as `npm start`
// does: under tsx each start spent about 1.4 s more CPU compiling its modules (3.6 s against
// 2.3 s to ready), and a full run starts some thirty of them on 2 cores. The sources stay the
// truth: the vitest global setup rebuilds dist/ (`npm run build:server`) whenever a server
// source, asset or build setting is newer than the build, so no test runs stale code.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The `citystream` command, compiled. */
export const DIST_CLI = join(ROOT, 'dist', 'cli', 'main.js');
const BUILD_CONFIG = join(ROOT, 'tsconfig.build.json');
/** Files that change the build besides the sources. */
const BUILD_SETTINGS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build-server.mjs'];

/** What the build compiles: the `include` of tsconfig.build.json, read as tsc reads it. */
function buildIncludes(): string[] {
  const read = ts.readConfigFile(BUILD_CONFIG, (path) => ts.sys.readFile(path));
  const config = read.config as { include: string[] };
  return config.include.map((entry) => join(ROOT, entry));
}

const mtime = (path: string) => statSync(path).mtimeMs;

/** Newest modification time of the server's inputs (its SQL and GeoJSON too); directories count,
 * so a deleted file does. Tests are not built: editing one needs no rebuild. */
function newestInput(): number {
  let newest = Math.max(...BUILD_SETTINGS.map((file) => mtime(join(ROOT, file))));
  for (const path of buildIncludes()) {
    const stat = statSync(path);
    newest = Math.max(newest, stat.mtimeMs);
    if (!stat.isDirectory()) continue;
    for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
      if (entry.name.endsWith('.test.ts')) continue;
      newest = Math.max(newest, mtime(join(entry.parentPath, entry.name)));
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
