// /v1/push: the VAPID public key, the signed-in user's subscriptions and notification preferences.
import { z } from 'zod';
import { Conflict, NotFound, Unprocessable } from '../../core/errors.ts';
import { caller, type HttpServer } from '../../core/http/index.ts';
import type { Db } from '../../core/db/types.ts';
import { preferredLanguage } from '../../core/http/language.ts';
import {
  preferences,
  subscriptionInput,
  subscriptionResponse,
  unsubscribeInput,
  vapidKeyResponse,
} from './schemas.ts';
import {
  deleteSubscription,
  getPreferences,
  MAX_SUBSCRIPTIONS_PER_USER,
  putPreferences,
  saveSubscription,
} from './store.ts';

const tags = ['push'];
const security = [{ bearerAuth: [] }];

export interface PushRouteDeps {
  app: HttpServer;
  db: Db;
  publicKey: string;
  /** Push service hosts an endpoint may point at (or a subdomain of one). */
  hosts: readonly string[];
}

/** True when the endpoint's host is one of the push services (a subdomain counts). */
export function allowedEndpoint(endpoint: string, hosts: readonly string[]): boolean {
  const host = new URL(endpoint).hostname.toLowerCase();
  return hosts.some((h) => host === h.toLowerCase() || host.endsWith(`.${h.toLowerCase()}`));
}

export function registerPushRoutes({ app, db, publicKey, hosts }: PushRouteDeps): void {
  app.get(
    '/push/vapid-public-key',
    {
      schema: {
        tags,
        summary: 'The VAPID public key to subscribe with (pushManager.subscribe applicationServerKey)',
        response: { 200: vapidKeyResponse },
      },
      config: { auth: 'public' },
    },
    () => ({ publicKey }),
  );

  app.post(
    '/push/subscriptions',
    {
      schema: {
        tags,
        security,
        summary:
          "Save this browser's push subscription (PushSubscription.toJSON(), plus the page's language) for the signed-in user",
        body: subscriptionInput,
        response: { 200: subscriptionResponse, 201: subscriptionResponse },
      },
      config: {
        auth: 'user',
        responses: {
          200: 'already saved (keys refreshed)',
          201: 'saved',
          409: `the user already has ${MAX_SUBSCRIPTIONS_PER_USER} subscriptions`,
          422: 'the endpoint is not a known push service',
        },
      },
    },
    async (request, reply) => {
      const user = caller(request);
      if (!allowedEndpoint(request.body.endpoint, hosts)) {
        throw new Unprocessable('the endpoint is not a push service this hub sends to', [
          { in: 'body', field: 'endpoint', message: `expected a host among ${hosts.join(', ')}` },
        ]);
      }
      const language = request.body.language ?? preferredLanguage(request.headers['accept-language']);
      const saved = await saveSubscription(db, user.sub, request.body, language);
      if (saved === 'full') {
        throw new Conflict(
          `you have ${MAX_SUBSCRIPTIONS_PER_USER} push subscriptions; remove one (DELETE /v1/push/subscriptions) first`,
        );
      }
      return reply.code(saved.created ? 201 : 200).send({
        id: saved.row.id,
        endpoint: saved.row.endpoint,
        language: saved.row.language,
        createdAt: saved.row.created_at.toISOString(),
      });
    },
  );

  app.delete(
    '/push/subscriptions',
    {
      schema: {
        tags,
        security,
        summary:
          "Remove the signed-in user's subscription with this endpoint (this browser stops getting notifications)",
        body: unsubscribeInput,
        response: { 204: z.null().describe('removed') },
      },
      config: { auth: 'user', responses: { 404: 'no subscription of yours has this endpoint' } },
    },
    async (request, reply) => {
      const user = caller(request);
      if (!(await deleteSubscription(db, user.sub, request.body.endpoint))) {
        throw new NotFound('no push subscription of yours has this endpoint');
      }
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/push/preferences',
    {
      schema: {
        tags,
        security,
        summary:
          'Notification preferences: quiet hours, appointment reminder lead time, cities followed for AQI alerts',
        response: { 200: preferences },
      },
      config: { auth: 'user' },
    },
    async (request) => getPreferences(db, caller(request).sub),
  );

  app.put(
    '/push/preferences',
    {
      schema: {
        tags,
        security,
        summary: 'Replace the notification preferences',
        body: preferences,
        response: { 200: preferences },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      const user = caller(request);
      await putPreferences(db, user.sub, request.body);
      return getPreferences(db, user.sub);
    },
  );
}
