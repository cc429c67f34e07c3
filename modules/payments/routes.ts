// /v1/payments: payment intents for appointments, tickets, bills and fines; the simulated wallet
// confirm; the provider webhook (HMAC-signed, raw body); staff refunds.
import { dateOf } from '../../core/clock.ts';
import type { Payables } from '../../core/domain/payable.ts';
import { Invalid, NotFound } from '../../core/errors.ts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PAYMENT_KINDS } from '../../core/domain/statuses.ts';
import { admitLookup, HttpProblem, requestDb, unauthorized } from '../../core/http/index.ts';
import { idParam } from '../../core/module/common.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { SIGNATURE_HEADER, verifySignature } from './signature.ts';
import {
  confirmPayment,
  createPayment,
  getPayment,
  listPayments,
  paymentView,
  refundPayment,
  settlePayment,
} from './store.ts';
import { paymentResponse, paymentList } from './schemas.ts';

export const webhookEvent = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(['payment.succeeded', 'payment.failed']),
  data: z.object({ providerRef: z.string().min(1).max(200), reason: z.string().max(500).optional() }),
});

/** The proof a bill or fine payment needs: what its lookup asks for (api/billing/routes.ts). */
const PROOF_FIELDS = {
  traffic_fine: ['plate', 'engineNoSuffix'],
  electricity_bill: ['accountNo'],
} as const;

const createBody = z
  .object({
    kind: z.enum(PAYMENT_KINDS),
    targetId: z.string().min(1).max(100),
    plate: z.string().min(5).max(16).optional().describe('traffic_fine: the plate, as for GET /v1/fines'),
    engineNoSuffix: z
      .string()
      .regex(/^[0-9A-Za-z]{6}$/, { error: 'expected exactly the last 6 characters of the engine number' })
      .optional()
      .describe('traffic_fine: the last 6 characters of the engine number'),
    accountNo: z
      .string()
      .regex(/^[0-9]{10,16}$/, { error: 'expected a 10-16 digit account number' })
      .optional()
      .describe('electricity_bill: the account the bill belongs to'),
  })
  .superRefine((b, ctx) => {
    const needed: readonly string[] =
      b.kind in PROOF_FIELDS ? PROOF_FIELDS[b.kind as keyof typeof PROOF_FIELDS] : [];
    for (const field of needed) {
      if (b[field as keyof typeof b] === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `required to pay a ${b.kind}` });
      }
    }
  });

const tags = ['payments'];
const security = [{ bearerAuth: [] }];

export function registerPaymentRoutes(
  { app, db, guards, lookups, config, clock, nudge }: ApiDeps,
  payables: Payables,
): void {
  app.post(
    '/payments',
    {
      schema: {
        tags,
        security,
        summary: 'Create a payment intent for an appointment, ticket, electricity bill or traffic fine',
        description:
          'A fine needs plate and engineNoSuffix, a bill its accountNo: the proof its lookup needs. A wrong proof answers 404 like a missing target. An unconfirmed intent expires after CITYSTREAM_PAYMENT_INTENT_TTL_SECONDS and then stops holding the target.',
        body: createBody,
        response: { 201: paymentResponse },
      },
      config: { auth: 'user', idempotency: 'atomic' },
    },
    async (request, reply) => {
      const principal = await guards.user(request);
      const { kind, targetId, ...proof } = request.body;
      // Paying a bill or fine proves the same knowledge a lookup does: it spends the same budget.
      const charge = kind in PROOF_FIELDS ? admitLookup(lookups, request, reply, principal) : null;
      let p;
      try {
        p = await createPayment(
          requestDb(request, db, nudge),
          payables,
          principal,
          kind,
          targetId,
          proof,
          config.paymentIntentTtlSeconds,
          dateOf(clock),
        );
      } catch (err) {
        // A target that does not exist, or a wrong proof, is a miss however the store reports it.
        const miss = err instanceof NotFound || (err instanceof HttpProblem && err.status === 404);
        charge?.(miss ? 'miss' : 'hit');
        throw err;
      }
      charge?.('hit');
      return reply.code(201).header('location', `/v1/payments/${p.id}`).send(paymentView(p));
    },
  );

  app.get(
    '/payments',
    {
      schema: {
        tags,
        security,
        summary: 'My payments',
        response: { 200: paymentList },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      const principal = await guards.user(request);
      return { items: (await listPayments(db, principal.sub)).map(paymentView) };
    },
  );

  app.get(
    '/payments/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One of my payments',
        params: idParam,
        response: { 200: paymentResponse },
      },
      config: { auth: 'user' },
    },
    async (request) => paymentView(await getPayment(db, await guards.user(request), request.params.id)),
  );

  app.post(
    '/payments/:id/confirm',
    {
      schema: {
        tags,
        security,
        summary: 'Confirm with the simulated wallet: charges and marks the target paid',
        params: idParam,
        response: { 200: paymentResponse },
      },
      config: { auth: 'user', idempotency: 'atomic' },
    },
    async (request) => {
      const p = await confirmPayment(
        requestDb(request, db, nudge),
        payables,
        await guards.user(request),
        request.params.id,
        config.paymentIntentTtlSeconds,
        dateOf(clock),
      );
      return paymentView(p);
    },
  );

  app.post(
    '/payments/:id/refund',
    {
      schema: {
        tags,
        security,
        summary: 'Refund a paid bill or fine (staff); bookings are refunded by cancelling them',
        params: idParam,
        body: z.object({ reason: z.string().min(1).max(500) }),
        response: { 200: paymentResponse },
      },
      config: { auth: 'staff' },
    },
    async (request) => {
      await guards.staff(request);
      const p = await refundPayment(db, payables, request.params.id, request.body.reason);
      nudge();
      return paymentView(p);
    },
  );

  // The webhook needs the exact bytes the provider signed, so JSON is not parsed before the check.
  void app.register(async (scope: FastifyInstance) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/payments/webhook',
      {
        schema: {
          tags,
          summary: `Payment provider callback, signed: ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`,
          response: {
            200: z.object({
              received: z.literal(true),
              duplicate: z.boolean(),
              paymentStatus: z.string().optional(),
            }),
          },
        },
        // The provider proves itself with the HMAC over the body, checked first in the handler.
        config: { auth: 'public' },
        // Provider events are small; the signature is checked over at most this much.
        bodyLimit: 64 * 1024,
      },
      async (request) => {
        const raw = request.body as Buffer;
        const header = request.headers[SIGNATURE_HEADER];
        const check = verifySignature(
          config.webhook.secret,
          Array.isArray(header) ? header[0] : header,
          raw,
          config.webhook.toleranceSeconds,
        );
        if (!check.ok) throw unauthorized(`webhook refused: ${check.reason}`);
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new Invalid('webhook body is not JSON');
        }
        const parsed = webhookEvent.safeParse(json);
        if (!parsed.success) {
          throw new Invalid(
            'invalid webhook event',
            parsed.error.issues.map((i) => ({ in: 'body', field: i.path.join('.'), message: i.message })),
          );
        }
        const event = parsed.data;
        const result = await db.transaction(async (tx) => {
          const fresh = await tx.query(
            'INSERT INTO payment_webhook_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING 1',
            [event.id, event.type],
          );
          if (fresh.rowCount === 0) return { received: true as const, duplicate: true };
          const { rows } = await tx.query<{ id: string }>('SELECT id FROM payments WHERE provider_ref = $1', [
            event.data.providerRef,
          ]);
          if (!rows[0]) throw new NotFound(`no payment with provider reference ${event.data.providerRef}`);
          await tx.query('UPDATE payment_webhook_events SET payment_id = $2 WHERE id = $1', [
            event.id,
            rows[0].id,
          ]);
          const p = await settlePayment(
            tx,
            payables,
            rows[0].id,
            event.type === 'payment.succeeded'
              ? { ok: true }
              : { ok: false, reason: event.data.reason ?? 'declined by provider' },
            dateOf(clock),
          );
          return { received: true as const, duplicate: false, paymentStatus: p.status };
        });
        nudge();
        return result;
      },
    );
  });
}
