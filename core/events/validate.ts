// Produce- and consume-side checks of an envelope against the catalogue.
import { cloudEventEnvelope, type CloudEvent } from './envelope.ts';
import type { TopicSpec } from './catalog.ts';
import { envelopeInShape, FAST_CHECKS } from './fast.ts';

export interface ValidationIssue {
  path: string;
  message: string;
}

export type ValidationResult =
  { ok: true; event: CloudEvent } | { ok: false; reason: string; issues: ValidationIssue[] };

type ZodIssueLike = { path: PropertyKey[]; message: string };
const toIssues = (issues: readonly ZodIssueLike[], prefix: string): ValidationIssue[] =>
  issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));

/**
 * The event when the hand-tight checks (fast.ts) vouch for it: the candidate itself when `owned`
 * (nobody else holds it, e.g. just parsed), else a copy of the envelope and its data, as zod
 * would return. null: zod must judge.
 */
function inShape(spec: TopicSpec, candidate: unknown, owned: boolean): CloudEvent | null {
  if (!envelopeInShape(candidate)) return null;
  const type = candidate.type as string;
  const check = FAST_CHECKS[type];
  if (!check || !spec.events[type] || !check(candidate.data)) return null;
  if (owned) return candidate as unknown as CloudEvent;
  return { ...(candidate as unknown as CloudEvent), data: { ...(candidate.data as object) } };
}

/**
 * Events validateEvent returned for a producer (not `owned`: a fresh copy or zod's output, which
 * only that caller holds) carry, under this symbol, the topic they were checked for. A producer
 * that checks each record itself (to refuse one item, not the whole publish) hands the bus the
 * returned event and the bus does not check it again. Consumers always check what they read.
 * The mark is not enumerable, so JSON, spreads and copies leave it behind (a WeakMap did the
 * same at ~1.4 µs a set, GC included, more than the check it saves).
 */
const VOUCHED = Symbol('citystream.vouched');

/** Whether `event` is one validateEvent returned for `spec` to a producer. */
export const vouchedFor = (spec: TopicSpec, event: unknown): boolean =>
  typeof event === 'object' && event !== null && (event as { [VOUCHED]?: TopicSpec })[VOUCHED] === spec;

/** Marks a checked event for the producer that will publish it (see VOUCHED). */
function vouched(spec: TopicSpec, result: ValidationResult): ValidationResult {
  if (result.ok) Object.defineProperty(result.event, VOUCHED, { value: spec });
  return result;
}

export function validateEvent(spec: TopicSpec, candidate: unknown, owned = false): ValidationResult {
  const result = judgeEvent(spec, candidate, owned);
  return owned ? result : vouched(spec, result);
}

/**
 * validateEvent for an event the caller has just built and holds alone (a producer checking each
 * record so it can refuse one item): checked in place instead of copied, and marked for the bus
 * as validateEvent's copies are. The copy is most of a check's cost on the ingest path.
 */
export function validateOwnEvent(spec: TopicSpec, candidate: unknown): ValidationResult {
  return vouched(spec, judgeEvent(spec, candidate, true));
}

function judgeEvent(spec: TopicSpec, candidate: unknown, owned: boolean): ValidationResult {
  const fast = inShape(spec, candidate, owned);
  if (fast) return { ok: true, event: fast };
  const env = cloudEventEnvelope.safeParse(candidate);
  if (!env.success) {
    return { ok: false, reason: 'not a CloudEvents 1.0 envelope', issues: toIssues(env.error.issues, '') };
  }
  const schema = spec.events[env.data.type];
  if (!schema) {
    return {
      ok: false,
      reason: `event type ${env.data.type} does not belong on ${spec.name}`,
      issues: [{ path: 'type', message: `expected one of ${Object.keys(spec.events).join(', ')}` }],
    };
  }
  const data = schema.safeParse(env.data.data);
  if (!data.success) {
    return {
      ok: false,
      reason: `invalid ${env.data.type} data`,
      issues: toIssues(data.error.issues, 'data'),
    };
  }
  return { ok: true, event: { ...env.data, data: data.data } };
}

/** Decodes raw record bytes; reports unparsable JSON the same way as a schema failure. */
export function decodeEvent(spec: TopicSpec, raw: Buffer | null): ValidationResult {
  if (raw === null) return { ok: false, reason: 'empty record value', issues: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}`, issues: [] };
  }
  return validateEvent(spec, parsed, true);
}
