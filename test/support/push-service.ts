// A local push service for tests: an HTTPS server (self-signed certificate, made with openssl)
// that accepts Web Push requests the way a browser vendor's service does. It checks the VAPID
// JWT (RFC 8292: ES256 signature, audience, expiry) and decrypts the aes128gcm payload (RFC 8291)
// with the subscriber's private key, using node:crypto only. Each endpoint path is one
// subscriber; a path can be told to answer with another status (410: the subscription is gone).
import { execFileSync } from 'node:child_process';
import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  hkdfSync,
  randomBytes,
  verify,
  type ECDH,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Received {
  subscriber: string;
  /** The decrypted payload, parsed. */
  payload: { kind: string; title: string; body: string; url: string; tag: string };
  ttl: number;
  urgency: string | undefined;
  /** The VAPID public key (`k`) the request was signed with. */
  vapidKey: string;
  claims: { aud: string; exp: number; sub: string };
}

export interface Subscriber {
  name: string;
  ecdh: ECDH;
  auth: Buffer;
  /** What the browser would POST to /v1/push/subscriptions. */
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
}

export interface PushService {
  url: string;
  /** PEM of the server certificate, to trust (CITYSTREAM_PUSH_CA_FILE). */
  caFile: string;
  received: Received[];
  /** Requests refused because their JWT or encryption did not check out. */
  refused: string[];
  subscriber(name: string): Subscriber;
  /** Answer every request to this subscriber with `status` (e.g. 410) instead of 201. */
  answer(name: string, status: number): void;
  close(): Promise<void>;
}

const b64u = (b: Buffer) => b.toString('base64url');

export async function startPushService(): Promise<PushService> {
  const dir = mkdtempSync(join(tmpdir(), 'citystream-push-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );

  const subscribers = new Map<string, Subscriber>();
  const statuses = new Map<string, number>();
  const received: Received[] = [];
  const refused: string[] = [];
  let origin = '';

  const server: Server = createServer(
    { key: readFileSync(keyFile), cert: readFileSync(certFile) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const name = decodeURIComponent((req.url ?? '').replace(/^\/push\//, ''));
        const sub = subscribers.get(name);
        try {
          if (req.method !== 'POST' || !sub) throw new Error(`unknown subscriber ${name}`);
          const { claims, key } = checkVapid(String(req.headers.authorization ?? ''), origin);
          if (req.headers['content-encoding'] !== 'aes128gcm')
            throw new Error('expected Content-Encoding: aes128gcm');
          const ttl = Number(req.headers.ttl);
          if (!Number.isInteger(ttl) || ttl < 0) throw new Error('expected a TTL header');
          const plain = decrypt(Buffer.concat(chunks), sub);
          const status = statuses.get(name) ?? 201;
          if (status === 201) {
            received.push({
              subscriber: name,
              payload: JSON.parse(plain.toString('utf8')) as Received['payload'],
              ttl,
              urgency: req.headers.urgency as string | undefined,
              vapidKey: key,
              claims,
            });
          }
          res.writeHead(status).end();
        } catch (err) {
          refused.push(`${name}: ${(err as Error).message}`);
          res.writeHead(400).end((err as Error).message);
        }
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  origin = `https://127.0.0.1:${address.port}`;

  return {
    url: origin,
    caFile: certFile,
    received,
    refused,
    subscriber(name) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const s: Subscriber = {
        name,
        ecdh,
        auth,
        subscription: {
          endpoint: `${origin}/push/${encodeURIComponent(name)}`,
          keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) },
        },
      };
      subscribers.set(name, s);
      return s;
    },
    answer(name, status) {
      statuses.set(name, status);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** RFC 8292: `vapid t=<JWT>, k=<P-256 public key>`; ES256 over header.payload, aud = our origin. */
function checkVapid(header: string, origin: string): { claims: Received['claims']; key: string } {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
  if (!m) throw new Error(`expected "vapid t=..., k=..." authorization, got ${header.slice(0, 40)}`);
  const [jwt, k] = [m[1]!, m[2]!];
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) throw new Error('malformed JWT');
  const head = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
  if (head.alg !== 'ES256') throw new Error(`expected ES256, got ${head.alg}`);
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64u(point.subarray(1, 33)), y: b64u(point.subarray(33)) },
    format: 'jwk',
  });
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  if (!ok) throw new Error('VAPID signature does not verify');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Received['claims'];
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not ${origin}`);
  const now = Date.now() / 1000;
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error('exp not within 24 h');
  if (!/^(mailto:|https:)/.test(claims.sub)) throw new Error('sub is not a contact');
  return { claims, key: k };
}

/** RFC 8291 + RFC 8188 aes128gcm, one record: salt | rs | idlen | keyid (sender key) | ciphertext. */
function decrypt(body: Buffer, sub: Subscriber): Buffer {
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const senderKey = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error(`keyid is ${idlen} bytes, expected a 65-byte P-256 key`);
  const ecdhSecret = sub.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), sub.ecdh.getPublicKey(), senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, sub.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  // The last record ends with the delimiter 0x02 followed by zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('missing the last-record padding delimiter');
  return padded.subarray(0, end);
}
