import { parseArgs } from 'node:util';
import { mintToken, ROLES, type UserRole } from '../../core/auth/index.ts';
import { DEV_JWT_SECRET, loadConfig, type AuthConfig } from '../../core/config/index.ts';

export async function tokenCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      sub: { type: 'string' },
      role: { type: 'string', default: 'citizen' },
      ttl: { type: 'string', default: '86400' },
      dev: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.sub) {
    process.stderr.write('citystream token: --sub <user id> is required\n');
    return 1;
  }
  if (!(ROLES as readonly string[]).includes(values.role)) {
    process.stderr.write(`citystream token: --role must be one of ${ROLES.join(', ')}\n`);
    return 1;
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) {
    process.stderr.write('citystream token: --ttl must be a positive number of seconds\n');
    return 1;
  }
  const config = loadConfig(process.env);
  const secret = signingSecret(config.auth, values.dev);
  if ('error' in secret) {
    process.stderr.write(`citystream token: ${secret.error}\n`);
    return 1;
  }
  if (secret.value === DEV_JWT_SECRET) {
    process.stderr.write(
      'citystream token: signed with the public dev secret (--dev): only a demo hub accepts it\n',
    );
  }
  process.stdout.write(
    (await mintToken(secret.value, { sub: values.sub, role: values.role as UserRole }, ttl)) + '\n',
  );
  return 0;
}

/**
 * The configured CITYSTREAM_JWT_SECRET, or the public dev secret when --dev asks for it: anyone can
 * sign with that one, so it is never used by surprise.
 */
function signingSecret(auth: AuthConfig, dev: boolean): { value: string } | { error: string } {
  if (auth.kind === 'jwks') {
    return { error: 'tokens are issued by your identity provider when CITYSTREAM_JWKS_URL is set' };
  }
  if (auth.kind === 'hs256' && !auth.isDevSecret) {
    return dev
      ? { error: 'CITYSTREAM_JWT_SECRET is set: drop --dev to sign with it' }
      : { value: auth.secret };
  }
  if (!dev) {
    return {
      error:
        'CITYSTREAM_JWT_SECRET is not set; set it, or pass --dev to sign with the public dev secret (accepted by demo hubs only)',
    };
  }
  return { value: DEV_JWT_SECRET };
}
