// Bearer token verification: what a hub accepts depends on how it is configured, and a token that
// never expires is never accepted.
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET, loadConfig } from '../config/index.ts';
import { AuthError, createTokenVerifier, mintToken } from './index.ts';

const SECRET = 'tokens-test-secret-0123456789abcdef';
const sign = (secret: string, claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('u1')
    .setIssuedAt()
    .sign(new TextEncoder().encode(secret));

describe('token verification', () => {
  it('refuses a token without exp, even with a valid signature', async () => {
    const verifier = createTokenVerifier(loadConfig({ CITYSTREAM_JWT_SECRET: SECRET }).auth);
    const forever = await sign(SECRET, { role: 'staff' });
    await expect(verifier.verify(forever)).rejects.toThrow(/no exp claim/);
    await expect(
      verifier.verify(await mintToken(SECRET, { sub: 'u1', role: 'staff' })),
    ).resolves.toMatchObject({
      sub: 'u1',
      role: 'staff',
    });
  });

  it('refuses a token once it expires, though it was accepted (and remembered) before', async () => {
    const verifier = createTokenVerifier(loadConfig({ CITYSTREAM_JWT_SECRET: SECRET }).auth);
    const token = await mintToken(SECRET, { sub: 'u1', role: 'citizen' }, 1);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'u1' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'u1' });
    // exp is in whole seconds: wait past it.
    await new Promise((r) => setTimeout(r, 2_100));
    await expect(verifier.verify(token)).rejects.toThrow(/token expired/);
  });

  it('refuses a token with a changed signature or payload, though the original was accepted', async () => {
    const verifier = createTokenVerifier(loadConfig({ CITYSTREAM_JWT_SECRET: SECRET }).auth);
    const token = await mintToken(SECRET, { sub: 'u1', role: 'citizen' });
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(verifier.verify(`${header}.${payload}.${flipped}`)).rejects.toThrow(/invalid token/);
    const staffPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'staff' }),
    ).toString('base64url');
    await expect(verifier.verify(`${header}.${staffPayload}.${signature}`)).rejects.toThrow(/invalid token/);
  });

  it('a non-demo hub without a secret refuses tokens signed with the public dev secret', async () => {
    const devToken = await mintToken(DEV_JWT_SECRET, { sub: 'intruder', role: 'staff' });
    for (const env of [{ DATABASE_URL: 'postgres://u:p@db/city' }, { CITYSTREAM_DEMO: '0' }]) {
      const verifier = createTokenVerifier(loadConfig(env).auth);
      await expect(verifier.verify(devToken)).rejects.toBeInstanceOf(AuthError);
    }
    // With a secret of its own the dev-signed token is a bad signature.
    const withSecret = createTokenVerifier(loadConfig({ CITYSTREAM_JWT_SECRET: SECRET }).auth);
    await expect(withSecret.verify(devToken)).rejects.toThrow(/invalid token/);
  });

  it('a demo hub accepts tokens signed with the public dev secret', async () => {
    const devToken = await mintToken(DEV_JWT_SECRET, { sub: 'alice', role: 'citizen' });
    for (const env of [{}, { CITYSTREAM_DEMO: '1', DATABASE_URL: 'postgres://u:p@db/city' }]) {
      const verifier = createTokenVerifier(loadConfig(env).auth);
      await expect(verifier.verify(devToken)).resolves.toMatchObject({ sub: 'alice', role: 'citizen' });
    }
  });
});
