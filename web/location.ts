// Where the built dashboard lives: web/dist at the package root. Found by walking up to
// package.json, so the same answer comes from the sources (web/location.ts) and from the
// compiled server (dist/web/location.js), which sit at different depths.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
export const WEB_DIST_DIR = join(PACKAGE_ROOT, 'web', 'dist');
