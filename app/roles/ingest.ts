// The ingest role: pulls and receives source data (air feeds, integrator pushes, cameras) and
// publishes it to the bus; each module with an ingest component contributes it.
import { startComponents, type Component } from '../../core/runtime/context.ts';
import { MODULES } from '../modules.ts';

const components: Component[] = MODULES.flatMap((m) => m.components.ingest ?? []);

const startIngest: Component = (ctx) => startComponents(ctx, components);
export default startIngest;
