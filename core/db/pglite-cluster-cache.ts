// A new PGlite cluster (an empty data directory, or an in-memory database) normally starts with
// initdb: 3-5 s of WebAssembly on a 2-core machine, at every first start and in every test that
// opens a fresh database. An empty cluster is the same files every time for one PGlite version,
// so the first initdb is kept in node_modules/.cache/citystream/pglite-<version>/: as a folder
// (copied into a new data directory, ~0.5 s) and as PGlite's own tarball (loaded into a new
// in-memory database). The cache only saves time: unreadable, unwritable or absent, PGlite runs
// initdb as before. `npm ci` fills it (scripts/prepare.mjs).
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

let cacheDir: string | null | undefined;

/** node_modules/.cache/citystream/pglite-<version> beside the PGlite package in use. */
function versionDir(): string | null {
  if (cacheDir !== undefined) return cacheDir;
  cacheDir = null;
  try {
    let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    while (basename(dir) !== 'node_modules') {
      if (dirname(dir) === dir) return null;
      dir = dirname(dir);
    }
    const { version } = JSON.parse(
      readFileSync(join(dir, '@electric-sql', 'pglite', 'package.json'), 'utf8'),
    ) as { version: string };
    cacheDir = join(dir, '.cache', 'citystream', `pglite-${version}`);
  } catch {
    // no cache: every new cluster runs initdb
  }
  return cacheDir;
}

const folderOf = (root: string) => join(root, 'cluster');
const tarballOf = (root: string) => join(root, 'cluster.tar.gz');

/** Writes `make(partial)` beside `target` and renames it in: processes starting together never see half. */
function publish(target: string, make: (partial: string) => void): void {
  const partial = `${target}.${process.pid}.partial`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    make(partial);
    renameSync(partial, target);
  } catch {
    // read-only install, disk full, or another process renamed first: only speed is lost
    rmSync(partial, { recursive: true, force: true });
  }
}

/** Fills an empty data directory from the cached cluster; false when there is none. */
export function copyEmptyCluster(into: string): boolean {
  const root = versionDir();
  if (!root || !existsSync(join(folderOf(root), 'PG_VERSION'))) return false;
  try {
    cpSync(folderOf(root), into, { recursive: true });
    return true;
  } catch {
    return false; // the caller clears `into` before initdb
  }
}

/** Keeps the data directory of a cluster initdb just made, before anything is written to it. */
export function keepEmptyCluster(from: string): void {
  const root = versionDir();
  if (root && !existsSync(folderOf(root))) {
    publish(folderOf(root), (partial) => cpSync(from, partial, { recursive: true }));
  }
}

/** The cached empty cluster as a tarball for an in-memory database, or null. */
export function emptyClusterTarball(): Blob | null {
  const root = versionDir();
  if (!root) return null;
  try {
    return new Blob([readFileSync(tarballOf(root))]);
  } catch {
    return null;
  }
}

/** Keeps the tarball of an in-memory cluster initdb just made. */
export async function keepEmptyClusterTarball(dump: () => Promise<Uint8Array>): Promise<void> {
  const root = versionDir();
  if (!root || existsSync(tarballOf(root))) return;
  const bytes = await dump();
  publish(tarballOf(root), (partial) => writeFileSync(partial, bytes));
}

/** A cached cluster that failed to open is dropped, so the next start runs initdb and re-caches. */
export function forgetEmptyCluster(): void {
  const root = versionDir();
  if (root) rmSync(root, { recursive: true, force: true });
}
