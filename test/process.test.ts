// `citystream start` as a real process: config errors, ops endpoints, graceful stop.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgs, startHub, type HubProcess } from './support/hub-process.ts';

describe('citystream start', () => {
  it('exits with code 2 and names the variable when a setting is invalid', () => {
    const r = spawnSync(process.execPath, cliArgs('start'), {
      env: { PATH: process.env.PATH, CITYSTREAM_HTTP_PORT: 'abc' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('CITYSTREAM_HTTP_PORT="abc"');
    expect(r.stderr).toMatch(/expected an integer TCP port/);
  });

  describe('with nothing configured', () => {
    let hub: HubProcess;
    afterAll(async () => {
      await hub?.stop('SIGKILL');
    });

    it('serves /healthz, /readyz and /metrics on the embedded adapters', async () => {
      hub = await startHub({
        CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-')),
        CITYSTREAM_DEMO: '0',
      });
      const health = await fetch(`${hub.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const ready = await fetch(`${hub.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, checks: { bus: { ok: true } } });

      const metrics = await (await fetch(`${hub.url}/metrics`)).text();
      expect(metrics).toMatch(/^citystream_process_cpu_seconds_total/m);
      expect(metrics).toMatch(/^# TYPE citystream_bus_published_total counter/m);
      expect(metrics).toMatch(
        /^citystream_http_request_duration_seconds_count\{method="GET",route="\/readyz",status="200"\} 1/m,
      );

      const missing = await fetch(`${hub.url}/no-such-page`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    });

    it('stops cleanly on SIGTERM within 10 s', async () => {
      const t0 = Date.now();
      expect(await hub.stop('SIGTERM')).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(hub.logs.some((l) => l.includes('"citystream stopped"'))).toBe(true);
    });
  });
});
