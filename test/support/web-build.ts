// vitest globalSetup: the tests check the current sources, so they also get the dashboard of the
// current sources. A running hub only serves web/dist (it never bundles); rebuild it here
// when a file under web/ changed since the last `npm run build`.
import { buildWeb, webBuildIsStale } from '../../web/build.ts';

export default async function setup(): Promise<void> {
  if (await webBuildIsStale()) await buildWeb();
}
