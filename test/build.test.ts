// The compiled hub as `npm start` and the image run it: dist/ under plain node, with tsx and
// esbuild (dev dependencies) not installed at all, serving the prebuilt dashboard. Uses the
// dist/ and web/dist that `npm ci` (prepare) or `npm run build` left in the checkout.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from './support/hub-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What `npm ci --omit=dev` would leave out and the compiled server must never import. */
const DEV_ONLY = new Set([
  'tsx',
  'esbuild',
  '@esbuild',
  'typescript',
  'vitest',
  '.bin',
  '.package-lock.json',
]);

/** A copy of the runtime install: package.json, dist/, web/dist, node_modules minus DEV_ONLY. */
function runtimeInstall(): string {
  for (const built of ['dist/cli/main.js', 'web/dist/index.html']) {
    if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` first`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'citystream-dist-'));
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'web', 'dist'), join(dir, 'web', 'dist'), { recursive: true });
  mkdirSync(join(dir, 'node_modules'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (!DEV_ONLY.has(name)) symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
  return dir;
}

/** Names (comm) of the direct child processes of `pid`, from /proc. */
function childProcessNames(pid: number): string[] {
  const names: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing paren
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === pid) names.push(stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      // the process exited while we looked
    }
  }
  return names;
}

describe('the compiled hub (dist/)', () => {
  let dir: string;
  let hub: HubProcess;
  beforeAll(() => {
    dir = runtimeInstall();
  });
  afterAll(async () => {
    await hub?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts under plain node without tsx or esbuild installed and serves the dashboard', async () => {
    hub = await startHub(
      { CITYSTREAM_DATA_DIR: join(dir, 'data'), CITYSTREAM_DEMO: '0', CITYSTREAM_HTTP_HOST: '127.0.0.1' },
      60_000,
      { args: ['dist/cli/main.js', 'start'], cwd: dir },
    );
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);

    const page = await fetch(`${hub.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="app">');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${hub.url}${script}`)).status).toBe(200);

    // no bundler or compiler process under the hub (esbuild runs as a child service when imported)
    expect(childProcessNames(hub.child.pid!)).toEqual([]);
    expect(hub.logs.join('\n')).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find package/);
  }, 90_000);

  it('refuses to start without a built dashboard and says how to build it', async () => {
    await hub.stop('SIGTERM');
    rmSync(join(dir, 'web', 'dist'), { recursive: true, force: true });
    await expect(
      startHub({ CITYSTREAM_DATA_DIR: join(dir, 'data'), CITYSTREAM_DEMO: '0' }, 60_000, {
        args: ['dist/cli/main.js', 'start', '--roles', 'api'],
        cwd: dir,
      }),
    ).rejects.toThrow(/the dashboard is not built: .*index\.html is missing; run `npm run build`/);
  }, 90_000);
});
