// `npm ci` / `npm install` run this (the prepare script): build dist/ and web/dist so a fresh
// checkout is runnable. An install without dev dependencies (`npm ci --omit=dev`) has no
// TypeScript or esbuild to build with; it keeps a build made earlier, and fails naming the
// fix when there is none.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const hasDevDeps = ['typescript', 'esbuild', 'tsx'].every((name) => {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
});

if (hasDevDeps) {
  const npm = process.env.npm_execpath;
  // npm_execpath is npm's own CLI script when npm runs us; fall back to `npm` on PATH.
  if (npm) execFileSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit', cwd: root });
  else execFileSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root });
  await warmDatabaseCache();
} else if (
  existsSync(join(root, 'dist', 'cli', 'main.js')) &&
  existsSync(join(root, 'web', 'dist', 'index.html'))
) {
  process.stdout.write('prepare: no dev dependencies installed; keeping the existing dist/ and web/dist\n');
} else {
  process.stderr.write(
    'prepare: dist/ or web/dist is missing and the dev dependencies that build them are not installed;\n' +
      'run `npm ci` (with dev dependencies) or `npm run build` first, then `npm ci --omit=dev`\n',
  );
  process.exit(1);
}

/**
 * Runs initdb once into node_modules/.cache (core/db/pglite-cluster-cache.ts), so the first
 * `npm start` copies an empty cluster instead of running initdb itself (3-5 s). Only speed is at stake.
 */
async function warmDatabaseCache() {
  const dir = mkdtempSync(join(tmpdir(), 'citystream-prepare-'));
  try {
    const { PgliteDb } = await import(pathToFileURL(join(root, 'dist', 'core', 'db', 'pglite.js')).href);
    const db = await PgliteDb.open(join(dir, 'pglite'));
    await db.close();
  } catch (err) {
    process.stdout.write(
      `prepare: could not cache an empty database cluster (${err}); the first start runs initdb\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
