#!/usr/bin/env node
// The `citystream` command. `npm run build` compiles this to dist/cli/main.js, the package bin.
import { ConfigError } from '../core/config/index.ts';
import { configCommand } from './commands/config.ts';
import { migrateCommand } from './commands/migrate.ts';
import { startCommand } from './commands/start.ts';
import { tokenCommand } from './commands/token.ts';

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

const commands: Record<string, (args: string[]) => Promise<number>> = {
  start: startCommand,
  config: configCommand,
  migrate: migrateCommand,
  token: tokenCommand,
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
