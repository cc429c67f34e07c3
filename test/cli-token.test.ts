// `citystream token` as a real process, the compiled command operators run (dist/, as the bin and
// `npm start` do; test/process.test.ts keeps the development command under tsx covered): it never
// signs with the public dev secret unless told to.
import { spawnSync } from 'node:child_process';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../core/config/index.ts';
import { builtCliArgs } from './support/hub-process.ts';

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, builtCliArgs('token', ...args), {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });

const claims = async (token: string, secret: string) =>
  (await jwtVerify(token.trim(), new TextEncoder().encode(secret))).payload;

describe('citystream token', () => {
  it('refuses to sign with the public dev secret without --dev', () => {
    const r = run(['--sub', 'u1', '--role', 'staff']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/CITYSTREAM_JWT_SECRET is not set.*--dev/);
  });

  it('signs with the dev secret when --dev is passed, and says so', async () => {
    const r = run(['--sub', 'u1', '--dev']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/public dev secret/);
    expect(await claims(r.stdout, DEV_JWT_SECRET)).toMatchObject({ sub: 'u1', role: 'citizen' });
  });

  it('signs with CITYSTREAM_JWT_SECRET, with an exp, and refuses --dev next to it', async () => {
    const secret = 'cli-token-test-secret-0123456789abcdef';
    const r = run(['--sub', 'u2', '--ttl', '60'], { CITYSTREAM_JWT_SECRET: secret });
    expect(r.status).toBe(0);
    const payload = await claims(r.stdout, secret);
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(run(['--sub', 'u2', '--dev'], { CITYSTREAM_JWT_SECRET: secret }).status).toBe(1);
  });
});
