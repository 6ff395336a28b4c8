/**
 * A chat or person the bot can no longer reach (removed from the group, blocked by the user …):
 * recorded once, and the org's admins are told once, privately.
 */
import type { Kysely } from 'kysely';
import { buildUnreachableCard, buildUrgentRefusedCard } from '../cards/notice-cards.ts';
import type { Clock } from '../core/clock.ts';
import { UNREACHABLE_REASONS } from '../core/feishu-codes.ts';
import { findMember } from '../db/repositories/members.ts';
import { findChatBinding } from '../db/repositories/orgs.ts';
import { createOutboxWriter } from '../db/repositories/outbox-writer.ts';
import { markUnreachable } from '../db/repositories/unreachable.ts';
import type { Database, OutboxRow } from '../db/schema.ts';
import { notifyAdmins } from './notify.ts';

export interface UnreachableDeps {
  db: Kysely<Database>;
  clock: Clock;
  wallClock: Clock;
}

function targetOf(row: OutboxRow): { type: 'chat_id' | 'open_id'; id: string } | undefined {
  if (row.kind === 'send' && row.target_id && (row.target_type === 'chat_id' || row.target_type === 'open_id')) {
    return { type: row.target_type, id: row.target_id };
  }
  const chat = (JSON.parse(row.payload) as { chat_id?: string }).chat_id;
  return chat ? { type: 'chat_id', id: chat } : undefined;
}

export async function reportUnreachable(
  deps: UnreachableDeps,
  row: OutboxRow,
  failure: { code: number | undefined },
): Promise<void> {
  const target = targetOf(row);
  if (!target) return;
  const code = failure.code ?? 0;
  const at = deps.clock.now().toISOString();
  await deps.db.transaction().execute(async (trx) => {
    const first = await markUnreachable(trx, {
      targetType: target.type,
      targetId: target.id,
      code,
      orgId: row.org_id,
      at,
    });
    if (!first || row.org_id === null) return;
    const name =
      target.type === 'chat_id'
        ? ((await findChatBinding(trx, target.id))?.chatName ?? target.id)
        : ((await findMember(trx, row.org_id, target.id))?.name ?? target.id);
    const reason = UNREACHABLE_REASONS[code] ?? `飞书错误码 ${code}`;
    const outbox = createOutboxWriter(trx, { at: deps.wallClock.now().toISOString(), orgId: row.org_id });
    await notifyAdmins(
      { db: trx, outbox },
      row.org_id,
      {
        type: 'card',
        card: buildUnreachableCard({ target: target.type === 'chat_id' ? 'chat' : 'member', name, reason }),
      },
      { key: `unreachable:${target.type}:${target.id}`, except: target.type === 'open_id' ? target.id : undefined },
    );
  });
}

const URGENT_KIND: Record<string, string> = {
  urgent_app: '应用内加急',
  urgent_sms: '短信加急',
  urgent_phone: '电话加急',
};

/**
 * A 加急 Feishu did not deliver (the people came back in `invalid_user_id_list`): the row is a dead
 * letter, and the org's admins — who were told a 加急 went out — hear that it did not, once per row.
 */
export async function reportUrgentRefused(deps: UnreachableDeps, row: OutboxRow, openIds: string[]): Promise<void> {
  const orgId = row.org_id;
  if (orgId === null) return;
  await deps.db.transaction().execute(async (trx) => {
    const names: string[] = [];
    for (const id of openIds) names.push((await findMember(trx, orgId, id))?.name ?? id);
    const outbox = createOutboxWriter(trx, { at: deps.wallClock.now().toISOString(), orgId });
    await notifyAdmins(
      { db: trx, outbox },
      orgId,
      { type: 'card', card: buildUrgentRefusedCard({ names, kind: URGENT_KIND[row.kind] ?? '加急' }) },
      { key: `urgent-refused:${row.id}`, except: openIds.length === 1 ? openIds[0] : undefined },
    );
  });
}
