import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from './index.ts';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('runs on embedded defaults with demo mode when nothing is configured', () => {
    const c = loadConfig({});
    expect(c.roles).toEqual(['ingest', 'stream', 'api']);
    expect(c.http.port).toBe(8080);
    expect(c.bus).toMatchObject({ kind: 'embedded', topicPrefix: 'citystream.' });
    expect(c.influx).toBeNull();
    expect(c.database).toBeNull();
    expect(c.mqtt).toBeNull();
    expect(c.demo).toBe(true);
    expect(c.auth).toMatchObject({
      kind: 'hs256',
      isDevSecret: true,
      apiKeys: [{ name: 'demo', key: 'demo-key' }],
    });
  });

  it('uses the external services that are configured and leaves demo mode off', () => {
    const c = loadConfig({
      KAFKA_BROKERS: '127.0.0.1:9092, kafka-2:9092',
      KAFKA_TOPIC_PREFIX: 'prod.',
      INFLUX_URL: 'http://127.0.0.1:8086',
      INFLUX_TOKEN: 't',
      INFLUX_ORG: 'o',
      INFLUX_BUCKET: 'b',
      DATABASE_URL: 'postgres://u:p@db:5432/city',
      MQTT_URL: 'mqtt://127.0.0.1:1883',
      CITYSTREAM_ROLES: 'stream',
      CITYSTREAM_API_KEYS: 'acme:0123456789,beta:abcdefghij',
    });
    expect(c.bus).toMatchObject({
      kind: 'kafka',
      brokers: ['127.0.0.1:9092', 'kafka-2:9092'],
      topicPrefix: 'prod.',
    });
    expect(c.influx).toEqual({ url: 'http://127.0.0.1:8086', token: 't', org: 'o', bucket: 'b' });
    expect(c.roles).toEqual(['stream']);
    expect(c.demo).toBe(false);
    expect(c.auth.apiKeys).toEqual([
      { name: 'acme', key: '0123456789' },
      { name: 'beta', key: 'abcdefghij' },
    ]);
  });

  it('leaves demo mode off when only a secret or key is configured, and says why', () => {
    for (const env of [
      { CITYSTREAM_JWT_SECRET: 'x'.repeat(32) },
      { CITYSTREAM_API_KEYS: 'acme:0123456789' },
      { CITYSTREAM_PAYMENT_WEBHOOK_SECRET: 'w'.repeat(32) },
      { CITYSTREAM_TRUSTED_PROXIES: 'uniquelocal' },
    ]) {
      const c = loadConfig(env);
      expect(c.demo, JSON.stringify(env)).toBe(false);
      expect(c.demoReason).toContain(Object.keys(env)[0]);
      // No demo integrator key either.
      expect(c.auth.apiKeys.some((k) => k.key === 'demo-key')).toBe(false);
    }
    expect(loadConfig({}).demoReason).toMatch(/nothing is configured/);
  });

  it('runs the demo when CITYSTREAM_DEMO=1 says so, whatever else is configured', () => {
    const c = loadConfig({
      CITYSTREAM_DEMO: '1',
      CITYSTREAM_JWT_SECRET: 'x'.repeat(32),
      MQTT_URL: 'mqtt://m:1883',
    });
    expect(c.demo).toBe(true);
    expect(c.demoReason).toMatch(/CITYSTREAM_DEMO is on/);
    // Its own secret still signs and verifies; the public dev secret is not used.
    expect(c.auth).toMatchObject({ kind: 'hs256', isDevSecret: false });
  });

  it('verifies no tokens outside demo mode when no secret or JWKS is configured', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/city' }).auth.kind).toBe('none');
    expect(loadConfig({ CITYSTREAM_DEMO: '0' }).auth.kind).toBe('none');
    expect(loadConfig({ CITYSTREAM_DEMO: '1', DATABASE_URL: 'postgres://db/city' }).auth).toMatchObject({
      kind: 'hs256',
      isDevSecret: true,
    });
  });

  it('takes trusted proxies as IPs, CIDRs and range names, and refuses anything else', () => {
    const c = loadConfig({ CITYSTREAM_TRUSTED_PROXIES: '10.0.0.1, 172.16.0.0/12,::1,fd00::/8,loopback' });
    expect(c.api.http.trustedProxies).toEqual(['10.0.0.1', '172.16.0.0/12', '::1', 'fd00::/8', 'loopback']);
    expect(loadConfig({}).api.http.trustedProxies).toEqual([]);
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/9', 'everyone']) {
      expect(problems({ CITYSTREAM_TRUSTED_PROXIES: bad })[0]).toMatchObject({
        variable: 'CITYSTREAM_TRUSTED_PROXIES',
        message: expect.stringMatching(/CIDR/) as unknown,
      });
    }
  });

  it('names the variable, the value and what was expected', () => {
    expect(problems({ CITYSTREAM_HTTP_PORT: 'abc' })).toEqual([
      {
        variable: 'CITYSTREAM_HTTP_PORT',
        value: 'abc',
        message: expect.stringMatching(/integer TCP port/) as unknown,
      },
    ]);
    expect(problems({ CITYSTREAM_HTTP_PORT: '70000' })[0]!.message).toMatch(/between 0 and 65535/);
    expect(problems({ CITYSTREAM_ROLES: 'ingest,web' })[0]).toMatchObject({ variable: 'CITYSTREAM_ROLES' });
    expect(problems({ KAFKA_BROKERS: 'localhost' })[0]!.message).toMatch(/host:port/);
    expect(problems({ DATABASE_URL: 'mysql://x/y' })[0]).toMatchObject({ variable: 'DATABASE_URL' });
    expect(problems({ CITYSTREAM_DEMO: 'maybe' })[0]!.message).toMatch(/true, false/);
    expect(problems({ INFLUX_URL: 'http://127.0.0.1:8086' }).map((p) => p.variable)).toEqual([
      'INFLUX_TOKEN',
      'INFLUX_ORG',
      'INFLUX_BUCKET',
    ]);
  });

  it('runs several gateway workers only for a stream-only process on Kafka, and says why not', () => {
    const kafka = { KAFKA_BROKERS: '127.0.0.1:9092' };
    expect(
      loadConfig({ ...kafka, CITYSTREAM_ROLES: 'stream', CITYSTREAM_STREAM_WORKERS: '2' }).stream.workers,
    ).toBe(2);
    expect(loadConfig({}).stream.workers).toBe(1);
    expect(
      loadConfig({ ...kafka, CITYSTREAM_ROLES: 'stream', CITYSTREAM_STREAM_WORKERS: 'auto' }).stream.workers,
    ).toBeGreaterThanOrEqual(1);
    expect(problems({ ...kafka, CITYSTREAM_STREAM_WORKERS: '2' })[0]).toMatchObject({
      variable: 'CITYSTREAM_STREAM_WORKERS',
      message: expect.stringMatching(/CITYSTREAM_ROLES=stream/) as unknown,
    });
    expect(problems({ CITYSTREAM_ROLES: 'stream', CITYSTREAM_STREAM_WORKERS: '2' })[0]).toMatchObject({
      variable: 'CITYSTREAM_STREAM_WORKERS',
      message: expect.stringMatching(/KAFKA_BROKERS/) as unknown,
    });
    expect(problems({ CITYSTREAM_STREAM_WORKERS: 'many' })[0]!.message).toMatch(/auto.*1 to 64/);
  });

  it('never echoes secrets in errors or in the printed configuration', () => {
    const [p] = problems({ CITYSTREAM_JWT_SECRET: 'short-secret' });
    expect(p).toMatchObject({ variable: 'CITYSTREAM_JWT_SECRET', value: '***' });
    const printed = JSON.stringify(
      redactConfig(
        loadConfig({
          CITYSTREAM_JWT_SECRET: 'x'.repeat(40),
          CITYSTREAM_API_KEYS: 'acme:supersecretkey',
          DATABASE_URL: 'postgres://u:hunter2@db/city',
          INFLUX_URL: 'http://i:8086',
          INFLUX_TOKEN: 'influx-secret-token',
          INFLUX_ORG: 'o',
          INFLUX_BUCKET: 'b',
        }),
      ),
    );
    for (const secret of ['x'.repeat(40), 'supersecretkey', 'hunter2', 'influx-secret-token']) {
      expect(printed).not.toContain(secret);
    }
    expect(printed).toContain('acme');
  });

  it('fills unset variables from the CITYSTREAM_CONFIG file; the environment wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'citystream.json');
    writeFileSync(file, JSON.stringify({ CITYSTREAM_HTTP_PORT: 9000, KAFKA_TOPIC_PREFIX: 'file.' }));
    const c = loadConfig({ CITYSTREAM_CONFIG: file, KAFKA_TOPIC_PREFIX: 'env.' });
    expect(c.http.port).toBe(9000);
    expect(c.bus.topicPrefix).toBe('env.');
    writeFileSync(file, JSON.stringify({ CITYSTREAM_HTTP_PORTT: 1 }));
    expect(problems({ CITYSTREAM_CONFIG: file })[0]).toMatchObject({ variable: 'CITYSTREAM_HTTP_PORTT' });
  });
});
