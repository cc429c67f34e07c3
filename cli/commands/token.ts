import { parseArgs } from 'node:util';
import { mintToken, ROLES, type UserRole } from '../../core/auth/index.ts';
import { loadConfig } from '../../core/config/index.ts';

export async function tokenCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      sub: { type: 'string' },
      role: { type: 'string', default: 'citizen' },
      ttl: { type: 'string', default: '86400' },
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
  if (config.auth.kind !== 'hs256') {
    process.stderr.write(
      'citystream token: tokens are issued by your identity provider when CITYSTREAM_JWKS_URL is set\n',
    );
    return 1;
  }
  process.stdout.write(
    (await mintToken(config.auth.secret, { sub: values.sub, role: values.role as UserRole }, ttl)) + '\n',
  );
  return 0;
}
