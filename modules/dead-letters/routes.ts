// /v1/staff/dead-letters: list and filter, counts per reason, replay a selection to where each
// came from, discard a selection. Every replay and discard is recorded in the audit log.
import { z } from 'zod';
import { caller } from '../../core/http/index.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { recordAudit } from '../audit/index.ts';
import { replayTarget, type Replayer } from './replay.ts';
import { deadLetterCounts, deadLetterList, replayResult } from './schemas.ts';
import {
  countByReason,
  DEAD_LETTER_STATUSES,
  getDeadLetters,
  listDeadLetters,
  markDiscarded,
  markReplayed,
  type DeadLetterRow,
} from './store.ts';

const tags = ['staff'];
const security = [{ bearerAuth: [] }];
const staffOnly = { auth: 'staff' } as const;

const filter = z.object({
  status: z.enum(DEAD_LETTER_STATUSES).optional(),
  reason: z.string().min(1).max(200).optional(),
  origin: z.string().min(1).max(300).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const selection = z.object({ ids: z.array(z.string().min(1).max(100)).min(1).max(200) }).strict();

const view = (d: DeadLetterRow) => ({
  id: d.id,
  origin: d.origin,
  topic: d.topic,
  key: d.key,
  reason: d.reason,
  issues: d.issues,
  raw: d.raw,
  text: Buffer.from(d.raw, 'base64').toString('utf8'),
  rawBytes: d.raw_bytes,
  replayOf: d.replay_of,
  receivedAt: d.received_at.toISOString(),
  status: d.status,
  replayable: !('error' in replayTarget(d)),
});

export function registerDeadLetterRoutes({ app, db }: ApiDeps, replayer: Replayer): void {
  app.get(
    '/staff/dead-letters',
    {
      schema: {
        tags,
        summary: 'Dead letters (dlq.v1), newest first, by status, reason text and origin prefix (staff)',
        security,
        querystring: filter,
        response: { 200: deadLetterList },
      },
      config: staffOnly,
    },
    async (request) => ({ items: (await listDeadLetters(db, request.query)).map(view) }),
  );

  app.get(
    '/staff/dead-letters/counts',
    {
      schema: {
        tags,
        summary: 'Dead letters counted per reason (alike reasons folded together) (staff)',
        security,
        querystring: filter.omit({ limit: true }),
        response: { 200: deadLetterCounts },
      },
      config: staffOnly,
    },
    async (request) => ({ items: await countByReason(db, request.query) }),
  );

  app.post(
    '/staff/dead-letters/replay',
    {
      schema: {
        tags,
        summary:
          'Replay dead letters to where each came from (MQTT topic or Kafka topic); one that fails again is a new dead letter naming this one (staff)',
        security,
        body: selection,
        response: { 200: replayResult },
      },
      config: staffOnly,
    },
    async (request) => {
      const staff = caller(request);
      const rows = new Map((await getDeadLetters(db, request.body.ids)).map((r) => [r.id, r]));
      const items = [];
      for (const id of new Set(request.body.ids)) {
        const d = rows.get(id);
        if (!d) {
          items.push({ id, ok: false, error: 'no such dead letter' });
          continue;
        }
        if (d.status === 'discarded') {
          items.push({ id, ok: false, error: 'discarded' });
          continue;
        }
        const target = replayTarget(d);
        if ('error' in target) {
          items.push({ id, ok: false, error: target.error });
          continue;
        }
        try {
          await replayer.send(d, target);
        } catch (err) {
          items.push({ id, ok: false, error: (err as Error).message });
          continue;
        }
        const to = `${target.kind}:${target.topic}`;
        await db.transaction(async (tx) => {
          await markReplayed(tx, id, staff.sub, to);
          await recordAudit(tx, {
            actor: staff.sub,
            action: 'dead_letter.replay',
            target: `dead_letter/${id}`,
            before: { status: d.status, reason: d.reason },
            after: { status: 'replayed', to },
          });
        });
        items.push({ id, ok: true, target: to });
      }
      return { items };
    },
  );

  app.post(
    '/staff/dead-letters/discard',
    {
      schema: {
        tags,
        summary: 'Discard dead letters (kept, marked discarded, never replayed) (staff)',
        security,
        body: selection,
        response: { 200: z.object({ discarded: z.array(z.string()) }) },
      },
      config: staffOnly,
    },
    async (request) => {
      const staff = caller(request);
      const discarded = await db.transaction(async (tx) => {
        const ids = await markDiscarded(tx, request.body.ids);
        for (const id of ids) {
          await recordAudit(tx, {
            actor: staff.sub,
            action: 'dead_letter.discard',
            target: `dead_letter/${id}`,
            after: { status: 'discarded' },
          });
        }
        return ids;
      });
      return { discarded };
    },
  );
}
