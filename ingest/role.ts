// The ingest role: pulls and receives source data (air feeds, integrator pushes, cameras) and publishes it to the bus.
import { startComponents, type Component } from '../core/runtime/context.ts';

const components: Component[] = [];

const startIngest: Component = (ctx) => startComponents(ctx, components);
export default startIngest;
