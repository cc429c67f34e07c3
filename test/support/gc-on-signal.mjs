// Preloaded (NODE_OPTIONS=--import) into hub child processes by memory tests: SIGUSR2 runs a
// full garbage collection, so a test can read the heap without the collector's timing in it.
import process from 'node:process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
process.on('SIGUSR2', () => {
  gc();
  gc();
});
