// The ingest role: pulls and receives source data (air feeds, integrator pushes, cameras) and publishes it to the bus.
import { startComponents, type Component } from '../core/runtime/context.ts';
import { airIngest } from './air/component.ts';
import startCameraIngest from './cameras/index.ts';

const components: Component[] = [airIngest, startCameraIngest];

const startIngest: Component = (ctx) => startComponents(ctx, components);
export default startIngest;
