// The dashboard build records what went into it, so a test run (test/support/web-build.ts) rebuilds
// web/dist only when a source changed: the build this run's global setup left is fresh, and a
// build older than its sources is stale.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_DIR, webBuildIsStale, type WebManifest } from '../../web/build.ts';

describe('dashboard build freshness', () => {
  const copy = mkdtempSync(join(tmpdir(), 'web-build-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('lists only files as inputs, so the build the global setup left is fresh', async () => {
    const manifest = JSON.parse(readFileSync(join(DIST_DIR, 'manifest.json'), 'utf8')) as WebManifest;
    expect(manifest.inputs).toContain('web/src/main.ts');
    expect(manifest.inputs).toContain('web/src/sw/worker.ts');
    expect(manifest.inputs.filter((f) => f.startsWith('<'))).toEqual([]);
    expect(await webBuildIsStale()).toBe(false);
  });

  it('is stale once a source is newer than the build', async () => {
    for (const file of ['manifest.json', 'index.html']) copyFileSync(join(DIST_DIR, file), join(copy, file));
    expect(await webBuildIsStale(copy)).toBe(false);
    const longAgo = new Date('2020-01-01T00:00:00Z');
    utimesSync(join(copy, 'manifest.json'), longAgo, longAgo);
    expect(await webBuildIsStale(copy)).toBe(true);
  });
});
