#!/usr/bin/env node
// The `citystream` command. `npm run build` compiles this to dist/cli/main.js, the package bin.
import { ConfigError } from '../core/config/index.ts';

const USAGE = `citystream — real-time data hub for city services

Usage:
  citystream start [--roles ingest,stream,api]   run the hub (roles default to CITYSTREAM_ROLES or all)
  citystream config                               print the effective configuration, secrets masked
  citystream migrate [--seed]                     apply database migrations (and demo seed data)
  citystream token --sub <user> [--role citizen|staff] [--ttl <seconds>] [--dev]
                                                  mint a token signed with CITYSTREAM_JWT_SECRET
                                                  (--dev: with the public dev secret, for demo hubs)

Configuration comes from the environment (see README); CITYSTREAM_CONFIG may name a JSON file.
`;

// Each command is loaded when it runs, so a process loads only what its command needs: `start`
// does not load the migrate command's module list (every area's code) into a stream-only hub.
const commands: Record<string, (args: string[]) => Promise<number>> = {
  start: async (args) => (await import('./commands/start.ts')).startCommand(args),
  config: async (args) => (await import('./commands/config.ts')).configCommand(args),
  migrate: async (args) => (await import('./commands/migrate.ts')).migrateCommand(args),
  token: async (args) => (await import('./commands/token.ts')).tokenCommand(args),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`citystream: unknown command "${name}"\n\n${USAGE}`);
    return 1;
  }
  return command(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`citystream: ${err.message}\n`);
    process.exitCode = 2;
  } else if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`citystream: ${err.message}\n\n${USAGE}`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`citystream: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
