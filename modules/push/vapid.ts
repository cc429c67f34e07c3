// The hub's VAPID identity (RFC 8292): from config, or a pair generated once into the data dir so
// subscriptions survive restarts. Every api process sharing the data dir uses the same pair.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PushConfig } from '../../core/config/index.ts';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export const VAPID_FILE = 'vapid.json';

export async function loadVapidKeys(config: PushConfig, dataDir: string, logger: Logger): Promise<VapidKeys> {
  if (config.vapid) return config.vapid;
  const file = join(dataDir, VAPID_FILE);
  const existing = readKeys(file);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true });
  // web-push (~70 files with its JWT and ASN.1 dependencies) is loaded only to make a pair.
  const { default: webpush } = await import('web-push');
  const keys = webpush.generateVAPIDKeys();
  try {
    // 'wx': a process that lost the race reads the winner's pair instead of replacing it.
    writeFileSync(file, JSON.stringify(keys, null, 2), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = readKeys(file);
    if (!winner) throw new Error(`${file} exists but holds no VAPID key pair`, { cause: err });
    return winner;
  }
  logger.warn(
    { file },
    'CITYSTREAM_VAPID_PUBLIC_KEY and CITYSTREAM_VAPID_PRIVATE_KEY are unset: generated a VAPID key pair into the data dir; set them for hubs that do not share it',
  );
  return keys;
}

function readKeys(file: string): VapidKeys | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const k = JSON.parse(text) as Partial<VapidKeys>;
  if (typeof k.publicKey !== 'string' || typeof k.privateKey !== 'string') {
    throw new Error(`${file} does not hold {publicKey, privateKey}`);
  }
  return { publicKey: k.publicKey, privateKey: k.privateKey };
}
