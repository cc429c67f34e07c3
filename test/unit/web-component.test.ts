// The dashboard component in-process: demo sign-in only exists in demo mode, and the page is
// served whichever roles' data is present.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fastify from 'fastify';
import { jwtVerify } from 'jose';
import { DEV_JWT_SECRET, loadConfig } from '../../core/config/index.ts';
import { Hub } from '../../app/hub.ts';
import { silentLogger } from '../../core/observability/index.ts';
import { serveDashboard } from '../../modules/dashboard/index.ts';

async function startApi(env: Record<string, string>): Promise<Hub> {
  const config = loadConfig({
    CITYSTREAM_ROLES: 'api',
    CITYSTREAM_HTTP_PORT: '0',
    CITYSTREAM_HTTP_HOST: '127.0.0.1',
    CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'web-unit-')),
    ...env,
  });
  return Hub.start(config, { logger: silentLogger() });
}

describe('api/web', () => {
  let hub: Hub | null = null;
  afterEach(async () => {
    await hub?.stop();
    hub = null;
  });

  it('mints a 12 h citizen token in demo mode', async () => {
    hub = await startApi({ CITYSTREAM_DEMO: '1' });
    const res = await hub.ctx.http.inject({
      method: 'POST',
      url: '/v1/dev/token',
      payload: { sub: 'alice' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ token: string; sub: string; role: string; expiresAt: string }>();
    expect(body).toMatchObject({ sub: 'alice', role: 'citizen' });
    const { payload } = await jwtVerify(body.token, new TextEncoder().encode(DEV_JWT_SECRET));
    expect(payload).toMatchObject({ sub: 'alice', role: 'citizen' });
    expect(Math.abs(payload.exp! - payload.iat! - 12 * 3600)).toBeLessThanOrEqual(1);
    expect(await hub.ctx.tokens.verify(body.token)).toMatchObject({ sub: 'alice', role: 'citizen' });
  }, 60_000); // demo mode seeds the services database first

  it('has no demo sign-in when a secret is configured and CITYSTREAM_DEMO is unset', async () => {
    hub = await startApi({ CITYSTREAM_JWT_SECRET: 'web-unit-secret-0123456789abcdef' });
    expect(hub.ctx.config.demo).toBe(false);
    const res = await hub.ctx.http.inject({
      method: 'POST',
      url: '/v1/dev/token',
      payload: { sub: 'alice' },
    });
    expect(res.statusCode).toBe(404);
  }, 60_000);

  it('has no demo sign-in when CITYSTREAM_DEMO is off, but still serves the page', async () => {
    hub = await startApi({ CITYSTREAM_DEMO: '0' });
    const res = await hub.ctx.http.inject({
      method: 'POST',
      url: '/v1/dev/token',
      payload: { sub: 'alice' },
    });
    expect(res.statusCode).toBe(404);
    const page = await hub.ctx.http.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="app">');
  }, 60_000);

  it('refuses to serve a dashboard that was never built, naming npm run build', async () => {
    const http = fastify();
    const empty = mkdtempSync(join(tmpdir(), 'web-dist-'));
    await expect(serveDashboard(http, empty)).rejects.toThrow(
      `the dashboard is not built: ${join(empty, 'index.html')} is missing; run \`npm run build\``,
    );
    await http.close();
  });
});
