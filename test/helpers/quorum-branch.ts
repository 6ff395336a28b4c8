/**
 * The 10-member 支部 the quorum specs meet in: 李书记 and nine members in one group bound to 第一党支部,
 * 王纪检 and 张组织 named 纪检委员 and 组织委员 through /角色, and the register (category, 支委 post,
 * 党小组, 不计应到) each spec gives written into the database as the register's own commands would.
 */
import { updateRegister } from '../../src/db/repositories/register.ts';
import type { Member } from '../../src/db/schema.ts';
import type { RegisterPatch } from '../../src/features/membership/register-rules.ts';
import type { EmuChat, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, seedBranch } from './bot.ts';
import * as talk from './converse.ts';

/** The nine besides 李书记: two 支委 to be, four 正式, two 预备 and one to be kept out of 应到. */
export const QUORUM_MEMBERS = [
  '王纪检',
  '张组织',
  '赵党员',
  '钱党员',
  '孙党员',
  '周党员',
  '吴预备',
  '郑预备',
  '冯病休',
];

export interface QuorumBranch {
  chat: EmuChat;
  /** The group's chat id. */
  group: string;
  secretary: EmuUser;
  members: EmuUser[];
  /** The person of this name (李书记 or one of the members). */
  by(name: string): EmuUser;
}

/** Binds the group and names the 纪检委员 and the 组织委员; the register is left as binding made it. */
export async function seedQuorumBranch(h: BotHarness): Promise<QuorumBranch> {
  const w = await seedBranch(h, { members: QUORUM_MEMBERS });
  const group = w.chat.chatId;
  const by = (name: string) => [w.secretary, ...w.members].find((u) => u.name === name) as EmuUser;
  await talk.say(h, group, w.secretary, `/角色 @{${by('王纪检').openId}} 纪检委员`);
  await talk.say(h, group, w.secretary, `/角色 @{${by('张组织').openId}} 组织委员`);
  return { ...w, group, by };
}

/**
 * Writes `register` (by name) onto the members who have not left; returns those rows as read before the
 * write, for the spec to check it met the people it expected.
 */
export async function writeRegister(h: BotHarness, register: Record<string, RegisterPatch>): Promise<Member[]> {
  const rows = await h.db.db.selectFrom('members').selectAll().where('left_at', 'is', null).execute();
  for (const r of rows)
    await updateRegister(h.db.db, r, { ...register[r.name], updated_at: new Date(0).toISOString() });
  return rows;
}
