// `npm run build:server`: compiles the server into dist/ with tsc (tsconfig.build.json) and copies
// the files it reads next to its own modules at run time (SQL migrations), which tsc does not
// emit. dist/ is emptied first so a deleted source leaves no stale module behind.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const SOURCE_DIRS = ['core', 'app', 'modules', 'stream', 'cli'];
const ASSET = /\.(sql|geojson)$/;

const t0 = Date.now();
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

let assets = 0;
for (const dir of SOURCE_DIRS) {
  for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !ASSET.test(entry.name)) continue;
    const from = join(entry.parentPath, entry.name);
    cpSync(from, join(dist, relative(root, from)));
    assets++;
  }
}
// The `citystream` bin: npm marks bins executable only for installed packages, not a checkout.
chmodSync(join(dist, 'cli', 'main.js'), 0o755);
process.stdout.write(
  `server: compiled into dist/ (${assets} SQL and GeoJSON files copied) in ${Date.now() - t0} ms\n`,
);
