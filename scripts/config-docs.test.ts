import { describe, expect, it } from 'vitest';
import { variables } from '../core/config/schema.ts';
import { optionalString } from '../core/config/vars.ts';
import { render } from './config-docs.ts';

describe('configuration reference (docs/configuration.md)', () => {
  it('lists every variable of the config schema exactly once', () => {
    const text = render();
    for (const name of Object.keys(variables)) {
      expect(text.split(`| \`${name}\` |`).length - 1, name).toBe(1);
    }
  });

  it('refuses a variable without a description, naming it', () => {
    const undocumented = [{ name: 'x', roles: 'api', variables: { CITYSTREAM_NEW_THING: optionalString } }];
    expect(() => render(undocumented)).toThrow(/CITYSTREAM_NEW_THING: its schema has no description/);
  });
});
