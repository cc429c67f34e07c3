// A throw-away InfluxDB bucket per test file, created and deleted through the InfluxDB API, so
// suites sharing one server never see each other's points.
import { randomUUID } from 'node:crypto';
import type { InfluxConfig } from '../../core/config/index.ts';

async function call(base: InfluxConfig, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(new URL(path, base.url), {
    method,
    headers: { Authorization: `Token ${base.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`InfluxDB ${method} ${path}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export async function createTestBucket(
  base: InfluxConfig,
): Promise<{ config: InfluxConfig; drop: () => Promise<void> }> {
  const orgs = (await call(base, 'GET', `/api/v2/orgs?org=${encodeURIComponent(base.org)}`)) as {
    orgs: { id: string }[];
  };
  const name = `test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const bucket = (await call(base, 'POST', '/api/v2/buckets', {
    orgID: orgs.orgs[0]!.id,
    name,
    retentionRules: [],
  })) as { id: string };
  return {
    config: { ...base, bucket: name },
    drop: async () => {
      await call(base, 'DELETE', `/api/v2/buckets/${bucket.id}`);
    },
  };
}
