// The api role: serves the city-services HTTP API under /v1 and the dashboard.
import { startComponents, type Component } from '../core/runtime/context.ts';
import { airApi } from './air/routes.ts';
import startCamerasApi from './cameras/index.ts';
import { cityServices } from './services.ts';
import startWeb from './web/index.ts';

const components: Component[] = [cityServices, airApi, startCamerasApi, startWeb];

const startApi: Component = (ctx) => startComponents(ctx, components);
export default startApi;
