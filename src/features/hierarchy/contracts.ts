/**
 * The card action of the hierarchy: 同意 / 拒绝 on the request by which an upper org (党委 …) takes
 * this org under it. `l`: the org_links row; `k`: the answer; `ver`: the row's version when drawn.
 */
import { z } from 'zod';
import { cardAction } from '../../cards/contract.ts';

export const linkAnswer = cardAction('org.link', {
  value: {
    l: z.coerce.number().int().positive(),
    k: z.enum(['ok', 'no']),
    ver: z.coerce.number().int().min(0),
  },
});
