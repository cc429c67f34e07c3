import { loadConfig, redactConfig } from '../../core/config/index.ts';

export async function configCommand(_args: string[]): Promise<number> {
  process.stdout.write(JSON.stringify(redactConfig(loadConfig(process.env)), null, 2) + '\n');
  return Promise.resolve(0);
}
