// The api role: every module's HTTP routes (city services under /v1, air, cameras, the dashboard),
// with the outbox relay and upkeep of the city services around them.
import type { Component } from '../../core/runtime/context.ts';
import { withCityServices } from '../city-services.ts';
import { MODULES } from '../modules.ts';

const startApi: Component = withCityServices(MODULES.flatMap((m) => m.components.api ?? []));
export default startApi;
