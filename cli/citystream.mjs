#!/usr/bin/env node
// Entry point of the `citystream` command: registers tsx so the TypeScript sources run as they
// are (no build step between a checkout and a running hub), then hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
