// The stream role: serves live events to WebSocket clients at /ws.
import { startComponents, type Component } from '../../core/runtime/context.ts';
import { gateway } from '../../stream/gateway.ts';

const components: Component[] = [gateway];

const startStream: Component = (ctx) => startComponents(ctx, components);
export default startStream;
