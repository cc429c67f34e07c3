// /v1/staff/keys: integrator keys for the console (list with usage, create, rotate, revoke).
import { z } from 'zod';
import { stationId } from '../../core/events/air.ts';
import { caller } from '../../core/http/index.ts';
import { city, idParam } from '../../core/module/common.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { integratorKeyList, integratorKeySecret, integratorKeyView } from './schemas.ts';
import { createKey, keyView, listKeys, revokeKey, rotateKey } from './store.ts';

const tags = ['staff'];
const security = [{ bearerAuth: [] }];
const staffOnly = { auth: 'staff' } as const;

const newKey = z
  .object({
    name: z
      .string()
      .trim()
      .regex(/^[\p{L}\p{N} ._-]{1,64}$/u, { error: 'letters, digits, spaces, . _ - (at most 64)' }),
    city: city.optional(),
    stations: z.array(stationId).max(500).optional(),
  })
  .strict();

export function registerKeyRoutes({ app, db, nudge }: ApiDeps): void {
  app.get(
    '/staff/keys',
    {
      schema: {
        tags,
        summary: 'Integrator keys with last use and accepted/rejected reading counts (staff)',
        security,
        response: { 200: integratorKeyList },
      },
      config: staffOnly,
    },
    async () => ({ items: (await listKeys(db)).map(keyView) }),
  );

  app.post(
    '/staff/keys',
    {
      schema: {
        tags,
        summary:
          'Create an integrator key, optionally scoped to a city or stations; the secret is shown once (staff)',
        security,
        body: newKey,
        response: { 201: integratorKeySecret },
      },
      config: staffOnly,
    },
    async (request, reply) => {
      const { row, secret } = await createKey(db, caller(request), request.body);
      nudge();
      return reply.code(201).send({ key: keyView(row), secret });
    },
  );

  app.post(
    '/staff/keys/:id/rotate',
    {
      schema: {
        tags,
        summary: 'A new secret for the key (shown once); the old one is refused from now on (staff)',
        security,
        params: idParam,
        response: { 200: integratorKeySecret },
      },
      config: { ...staffOnly, responses: { 409: 'the key is revoked' } },
    },
    async (request) => {
      const { row, secret } = await rotateKey(db, caller(request), request.params.id);
      nudge();
      return { key: keyView(row), secret };
    },
  );

  app.post(
    '/staff/keys/:id/revoke',
    {
      schema: {
        tags,
        summary:
          'Revoke the key: every process refuses it on every ingest path as soon as the change reaches it (staff)',
        security,
        params: idParam,
        response: { 200: integratorKeyView },
      },
      config: { ...staffOnly, responses: { 409: 'already revoked' } },
    },
    async (request) => {
      const row = await revokeKey(db, caller(request), request.params.id);
      nudge();
      return keyView(row);
    },
  );
}
