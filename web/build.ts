// Bundles the dashboard for the browser with esbuild: web/src/main.ts (and the CSS it imports)
// become content-hashed files under web/dist/assets, and web/index.html is written to
// web/dist/index.html pointing at them. Hashed names let the server cache assets forever while
// index.html is revalidated on every load. Run by `npm run build` (so by `npm ci`, through
// prepare) and before the tests when web/dist is older than its sources (test/support/web-build.ts);
// never by a running hub, which only serves what was built (api/web).
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { WEB_DIST_DIR } from './location.ts';

export const WEB_DIR = dirname(fileURLToPath(import.meta.url));
export const DIST_DIR = WEB_DIST_DIR;
const ROOT_DIR = dirname(WEB_DIR);

/** What a build produced; written to dist/manifest.json so the server can check freshness. */
export interface WebManifest {
  builtAt: string;
  script: string;
  style: string | null;
  /** Source files (relative to the repository root) that went into the bundle. */
  inputs: string[];
}

export async function buildWeb(options: { outDir?: string; minify?: boolean } = {}): Promise<WebManifest> {
  const finalDir = options.outDir ?? DIST_DIR;
  // Built aside and swapped in, so a failed build leaves the previous page in place and two
  // processes building at once cannot interleave their files.
  const outDir = `${finalDir}.building-${process.pid}-${Date.now()}`;
  const assetsDir = join(outDir, 'assets');
  await mkdir(assetsDir, { recursive: true });
  try {
    const manifest = await bundle(outDir, assetsDir, options.minify ?? true);
    await rm(finalDir, { recursive: true, force: true });
    await rename(outDir, finalDir).catch(async (err: NodeJS.ErrnoException) => {
      // Another process swapped its (identical) build in first.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
    return manifest;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/**
 * `import url from 'some/file?url'`: the file is emitted as a hashed asset and the import is its
 * URL, like bundlers' `?url`. For what the page fetches rather than runs in its bundle: MapLibre's
 * web worker (a separate script by design) and the district GeoJSON (data, cached apart).
 */
const assetUrls: esbuild.Plugin = {
  name: 'asset-urls',
  setup(build) {
    build.onResolve({ filter: /\?url$/ }, async (args) => {
      const found = await build.resolve(args.path.slice(0, -'?url'.length), {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
      });
      if (found.errors.length) return { errors: found.errors };
      return { path: found.path, pluginData: { url: true } };
    });
    build.onLoad({ filter: /.*/ }, async (args) => {
      if (!(args.pluginData as { url?: boolean } | undefined)?.url) return undefined;
      return { contents: await readFile(args.path), loader: 'file' };
    });
  },
};

async function bundle(outDir: string, assetsDir: string, minify: boolean): Promise<WebManifest> {
  const result = await esbuild.build({
    entryPoints: [join(WEB_DIR, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'safari15', 'firefox100'],
    outdir: assetsDir,
    entryNames: '[name]-[hash]',
    // Code loaded on demand (the camera player's hls.js) goes to its own hashed chunk.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    minify,
    sourcemap: 'linked',
    // URLs of `?url` imports (the map's worker and district boundaries) are served under /assets/.
    publicPath: '/assets/',
    plugins: [assetUrls],
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT_DIR,
  });

  let mainFile: string | null = null;
  let style: string | null = null;
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    // With splitting, on-demand modules are entry points too: the page's script is main.ts's.
    if (!out.entryPoint?.endsWith('web/src/main.ts')) continue;
    if (file.endsWith('.js')) mainFile = file;
    if (out.cssBundle) style = basename(out.cssBundle);
  }
  if (!mainFile) throw new Error('esbuild produced no script for web/src/main.ts');
  const script = basename(mainFile);

  const template = await readFile(join(WEB_DIR, 'index.html'), 'utf8');
  const html = template
    .replace('<!-- assets:style -->', style ? `<link rel="stylesheet" href="/assets/${style}" />` : '')
    .replace('<!-- assets:script -->', `<script type="module" src="/assets/${script}"></script>`);
  await writeFile(join(outDir, 'index.html'), html);

  const app = await bundleInstallable(outDir, shellAssets(result.metafile, mainFile, style), minify);

  const inputs = [
    ...Object.keys(result.metafile.inputs),
    relative(ROOT_DIR, join(WEB_DIR, 'index.html')),
    ...app.inputs,
  ]
    // esbuild also lists virtual inputs, such as `<define:__PRECACHE__>` for a large define value:
    // no file, so a freshness check would find it missing and rebuild every time.
    .filter((f) => !f.startsWith('node_modules/') && !f.startsWith('<'))
    .sort();
  const manifest: WebManifest = { builtAt: new Date().toISOString(), script, style, inputs };
  await writeFile(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}

/**
 * What the page needs to start offline, as names under /assets/: the page's script and every
 * chunk it imports statically (splitting moves shared code out of main), its stylesheet, and the
 * files the page fetches by URL (the map's worker and district boundaries). Chunks loaded on
 * demand (the camera player's hls.js) and source maps are left to the network.
 */
export function shellAssets(metafile: esbuild.Metafile, mainFile: string, style: string | null): string[] {
  const shell = new Set<string>();
  const visit = (file: string) => {
    if (shell.has(file)) return;
    shell.add(file);
    for (const i of metafile.outputs[file]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(mainFile);
  for (const file of Object.keys(metafile.outputs)) {
    if (!/\.(js|css|map)$/.test(file)) shell.add(file);
  }
  const names = [...shell].map((f) => basename(f));
  if (style) names.push(style);
  return [...new Set(names)].sort();
}

/**
 * The web app manifests: web/manifest.webmanifest (Chinese, the default) and an English one made
 * from it with the texts of web/manifest.en.json; the page links the one of its language
 * (web/src/sw/register.ts).
 */
const MANIFESTS = ['manifest.webmanifest', 'manifest.en.webmanifest'];

/**
 * The installable app: the web app manifests and icons copied beside index.html, and the service
 * worker (web/src/sw/worker.ts) bundled to /sw.js with this build's app shell in it. A new build
 * changes that list, so browsers see a new worker and replace the cached shell.
 */
async function bundleInstallable(
  outDir: string,
  assets: string[],
  minify: boolean,
): Promise<{ inputs: string[] }> {
  // The app's name in each page language: Chinese by default, English for an English page.
  const manifestFiles = [join(WEB_DIR, 'manifest.webmanifest'), join(WEB_DIR, 'manifest.en.json')];
  const [zh, en] = await Promise.all(
    manifestFiles.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as object),
  );
  await cp(manifestFiles[0]!, join(outDir, 'manifest.webmanifest'));
  await writeFile(join(outDir, 'manifest.en.webmanifest'), JSON.stringify({ ...zh, ...en }, null, 2));
  const iconsDir = join(WEB_DIR, 'icons');
  const icons = (await readdir(iconsDir)).filter((f) => f.endsWith('.png')).sort();
  await mkdir(join(outDir, 'icons'));
  for (const icon of icons) await cp(join(iconsDir, icon), join(outDir, 'icons', icon));

  const precache = [
    '/',
    ...assets.map((a) => `/assets/${a}`),
    ...MANIFESTS.map((name) => `/${name}`),
    ...icons.map((i) => `/icons/${i}`),
  ];
  const id = createHash('sha256');
  id.update(JSON.stringify(precache));
  for (const file of manifestFiles) id.update(await readFile(file));
  for (const icon of icons) id.update(await readFile(join(iconsDir, icon)));
  const sw = await esbuild.build({
    entryPoints: [join(WEB_DIR, 'src', 'sw', 'worker.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'safari15', 'firefox100'],
    outfile: join(outDir, 'sw.js'),
    define: {
      __PRECACHE__: JSON.stringify(precache),
      __BUILD_ID__: JSON.stringify(id.digest('hex').slice(0, 16)),
    },
    minify,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT_DIR,
  });
  return {
    inputs: [
      ...Object.keys(sw.metafile.inputs),
      ...manifestFiles.map((file) => relative(ROOT_DIR, file)),
      ...icons.map((i) => relative(ROOT_DIR, join(iconsDir, i))),
    ],
  };
}

/** True when dist is missing, or a source file (or the build script) changed since it was built. */
export async function webBuildIsStale(outDir = DIST_DIR): Promise<boolean> {
  let manifest: WebManifest;
  let builtMs: number;
  try {
    manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as WebManifest;
    builtMs = (await stat(join(outDir, 'manifest.json'))).mtimeMs;
    await stat(join(outDir, 'index.html'));
  } catch {
    return true;
  }
  const watched = [...manifest.inputs, relative(ROOT_DIR, fileURLToPath(import.meta.url))];
  for (const file of watched) {
    try {
      if ((await stat(join(ROOT_DIR, file))).mtimeMs > builtMs) return true;
    } catch {
      // A source that no longer exists means the module graph changed.
      return true;
    }
  }
  return false;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  const m = await buildWeb();
  process.stdout.write(
    `web: built ${m.script}${m.style ? ` and ${m.style}` : ''} into web/dist in ${Date.now() - t0} ms\n`,
  );
}
