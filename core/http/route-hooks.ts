// Route-level onRequest hooks that must run after those already on the route: the shared rate
// limit adds its own in onRoute, and a caller is counted by it before its credentials or headers
// are judged (refused keys are rate limited like any anonymous request).
import type { onRequestHookHandler, RouteOptions } from 'fastify';

export function appendOnRequest(route: RouteOptions, hook: onRequestHookHandler): void {
  const existing = route.onRequest;
  route.onRequest = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), hook];
}
