// Access declarations narrow the handler's context (src/core/contracts.ts): a command, a verb or a card
// action declared `org: 'required'` gets `ctx.org: Org`, an `optional` one `Org | undefined` (checked
// by the compiler through expectTypeOf); the router refuses a required-org action without an org.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { argSchema } from '../../src/core/args.ts';
import { defineAction, defineCommand, defineSubcommand } from '../../src/core/contracts.ts';
import { UserError } from '../../src/core/errors.ts';
import type { Org } from '../../src/db/schema.ts';
import { requireActionOrg } from '../../src/router/access.ts';

const none = argSchema(() => undefined);

describe('org narrowing', () => {
  it('types ctx.org from access.org', () => {
    defineCommand({
      name: 'x',
      aliases: [],
      summary: '',
      usage: [],
      args: none,
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx) {
        expectTypeOf(ctx.org).toEqualTypeOf<Org>();
        return undefined;
      },
      subcommands: [
        defineSubcommand({
          name: 'y',
          aliases: [],
          summary: '',
          usage: [],
          args: none,
          access: { roles: 'anyone', chat: 'any', org: 'optional' },
          async handle(ctx) {
            expectTypeOf(ctx.org).toEqualTypeOf<Org | undefined>();
            return undefined;
          },
        }),
      ],
      actions: {
        'x.required': defineAction({
          value: z.object({}),
          roles: 'member',
          org: 'required',
          async handle(ctx) {
            expectTypeOf(ctx.org).toEqualTypeOf<Org>();
            return {};
          },
        }),
        'x.default': defineAction({
          value: z.object({}),
          roles: 'member',
          async handle(ctx) {
            expectTypeOf(ctx.org).toEqualTypeOf<Org | undefined>();
            return {};
          },
        }),
      },
    });
  });

  it.each([
    { org: 'required' as const, hasOrg: false, refused: true },
    { org: 'required' as const, hasOrg: true, refused: false },
    { org: 'optional' as const, hasOrg: false, refused: false },
    { org: undefined, hasOrg: false, refused: false },
  ])('an action declaring org $org with an org: $hasOrg → refused $refused', ({ org, hasOrg, refused }) => {
    const run = () => requireActionOrg(org, hasOrg);
    if (refused) expect(run).toThrow(UserError);
    else expect(run).not.toThrow();
  });
});
