/**
 * The sandbox's 机关党委 over three 支部 (issue 15 item 6), set up through the bot's own commands so each
 * chat's history shows how: 第二党支部 and 第三党支部 (ten people each, their 书记 owning the group)
 * are bound and given their officers; two 预备党员 who transferred in join 第一党支部's group (after its
 * 党员大会, whose record stays as it was); each 支部's 组织委员 fills in the register (the 支委, the
 * 预备党员, and in 第一党支部 two 党小组 with their 组长); the 机关党委's group (its 书记, its 纪检委员 and
 * the three 支部 书记) is bound, given its level and asks each 支部 to come under it, and each 支部 书记
 * presses 同意 on the request card in their group. (The members of 第一党支部's 党小组 other than the
 * 组长 are entered through the register service the command uses: see below.) Then the records that make the roll-up red, green
 * and yellow (seed-branch-records.ts), one item 下发 to all three, and the 机关党委 书记's /总览.
 */
import type { Clock } from '../core/clock.ts';
import { findMember } from '../db/repositories/members.ts';
import { findOrgByName } from '../db/repositories/orgs.ts';
import type { Org } from '../db/schema.ts';
import { changeRegister } from '../features/membership/register-service.ts';
import type { Emulator } from './emulator.ts';
import { DEMO_ORG } from './seed.ts';
import { seedBranchRecords, seedIssued } from './seed-branch-records.ts';
import { type SeedDeps, seedInTransaction } from './seed-scope.ts';
import type { EmuUser } from './store.ts';

export interface BranchSpec {
  org: string;
  secretary: string;
  organizer: string;
  inspector: string;
  /** Everyone else in the group: 党员 by role. */
  members: readonly string[];
  probationary: readonly string[];
}

export const UPPER_ORG = '机关党委';
export const UPPER = { secretary: '徐振华', inspector: '唐卫东' } as const;

export const SECOND: BranchSpec = {
  org: '第二党支部',
  secretary: '周海涛',
  organizer: '林晓红',
  inspector: '何建平',
  members: ['马超', '胡静', '郭强', '罗敏', '高峰', '梁雪', '宋涛'],
  probationary: ['梁雪', '宋涛'],
};

export const THIRD: BranchSpec = {
  org: '第三党支部',
  secretary: '杨帆',
  organizer: '许丽娟',
  inspector: '韩冬',
  members: ['冯磊', '曹颖', '彭辉', '谢芳', '曾勇', '袁媛', '邓琳'],
  probationary: ['袁媛', '邓琳'],
};

/** 第一党支部 as seed.ts made it, and the two 预备党员 who transferred in since. */
export const FIRST: BranchSpec = {
  org: DEMO_ORG,
  secretary: '李明华',
  organizer: '张晓燕',
  inspector: '王建国',
  members: ['陈志强', '刘洋', '赵敏', '孙磊', '周婷', '吴刚', '郑丽', '蒋欣', '沈浩'],
  probationary: ['蒋欣', '沈浩'],
};

/** 第一党支部's two 党小组: everyone in one, the 组长 first. */
export const FIRST_GROUPS = [
  { name: '第一党小组', members: ['刘洋', '李明华', '王建国', '赵敏', '孙磊', '蒋欣'] },
  { name: '第二党小组', members: ['周婷', '张晓燕', '陈志强', '吴刚', '郑丽', '沈浩'] },
] as const;

export const BRANCHES: readonly BranchSpec[] = [FIRST, SECOND, THIRD];

export interface HierarchyDeps extends Omit<SeedDeps, 'org' | 'now'> {
  /** The sandbox's clock: each step acts at the time it happens (the commands take a moment). */
  clock: Clock;
}

const TIMEOUT = 10_000;

/** The value of the button labelled `text` on a card's JSON (the callback a press sends). */
function buttonValue(content: string, text: string): unknown {
  let found: unknown;
  const walk = (v: unknown): void => {
    if (found !== undefined || !v || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    const o = v as Record<string, unknown>;
    if (o.tag === 'button' && (o.text as { content?: string } | undefined)?.content === text) {
      found = (o.behaviors as { value?: unknown }[] | undefined)?.[0]?.value;
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(JSON.parse(content));
  return found;
}

export async function seedHierarchy(emu: Emulator, d: HierarchyDeps): Promise<void> {
  const user = (name: string) => {
    const u = [...emu.store.users.values()].find((x) => x.name === name);
    if (!u) throw new Error(`no sandbox user ${name}`);
    return u;
  };
  const say = async (chatId: string, from: EmuUser, text: string) => {
    const before = emu.botMessages(chatId).length;
    await emu.sendText({ chatId, from: from.openId, text, mentionBot: true });
    await emu.waitFor(() => emu.botMessages(chatId).length > before, { what: `reply to ${text}`, timeoutMs: TIMEOUT });
  };
  const at = (u: EmuUser) => `@{${u.openId}}`;
  const orgOf = async (name: string): Promise<Org> => {
    const org = await findOrgByName(d.db, name);
    if (!org) throw new Error(`no org ${name}`);
    return org;
  };
  /** A group chat with the bot added by its owner (the welcome card shows). */
  const group = async (name: string, owner: EmuUser, members: readonly EmuUser[]) => {
    const chat = emu.createGroup({ name, owner: owner.openId, members: members.map((u) => u.openId), withBot: false });
    await emu.addBotToChat(chat.chatId, owner.openId);
    await emu.waitFor(() => emu.botMessages(chat.chatId).length > 0, {
      what: `welcome in ${name}`,
      timeoutMs: TIMEOUT,
    });
    return chat.chatId;
  };

  // Each 支部 at once (Feishu lets a bot post only a few messages a second into one group, and
  // 第一党支部's group is still receiving its seeded cards): 第二党支部 and 第三党支部 bound by their 书记,
  // their 组织委员 and 纪检委员 named; two 预备党员 transferred in join 第一党支部's group (the bot makes
  // them its 党员); then each 组织委员 enters the 支委 and the 预备党员 in the register.
  const chats = new Map<string, string>();
  const firstChat = [...emu.store.chats.values()].find((c) => c.type === 'group' && c.name === `${DEMO_ORG}工作群`);
  if (!firstChat) throw new Error('no group of the first 支部');
  chats.set(DEMO_ORG, firstChat.chatId);
  const first = await orgOf(DEMO_ORG);
  const register = async (b: BranchSpec) => {
    const chatId = chats.get(b.org) as string;
    const organizer = user(b.organizer);
    for (const [name, post] of [
      [b.secretary, '书记'],
      [b.organizer, '组织委员'],
      [b.inspector, '纪检委员'],
    ] as const)
      await say(chatId, organizer, `/党员 ${at(user(name))} 支委 ${post}`);
    for (const name of b.probationary) await say(chatId, organizer, `/党员 ${at(user(name))} 预备党员`);
  };
  const branch = async (b: BranchSpec) => {
    const secretary = emu.addUser(b.secretary);
    const others = [b.organizer, b.inspector, ...b.members].map((n) => emu.addUser(n));
    const chatId = await group(`${b.org}工作群`, secretary, others);
    chats.set(b.org, chatId);
    await say(chatId, secretary, `/绑定 ${b.org}`);
    await say(chatId, secretary, `/角色 ${at(user(b.organizer))} 组织委员`);
    await say(chatId, secretary, `/角色 ${at(user(b.inspector))} 纪检委员`);
    await register(b);
  };
  const firstBranch = async () => {
    const newcomers = FIRST.probationary.map((n) => emu.addUser(n));
    await emu.addUsersToChat(
      firstChat.chatId,
      newcomers.map((u) => u.openId),
      user(FIRST.secretary).openId,
    );
    await emu.waitFor(
      async () => (await Promise.all(newcomers.map((u) => findMember(d.db, first.id, u.openId)))).every(Boolean),
      { what: 'the newcomers as members', timeoutMs: TIMEOUT },
    );
    await register(FIRST);
    // Its two 党小组: the 组长 by command, the other members through the register service the command
    // uses (a dozen more answers in that group would slow the start).
    for (const g of FIRST_GROUPS)
      await say(firstChat.chatId, user(FIRST.organizer), `/党员 ${at(user(g.members[0]))} 党小组 ${g.name} 组长`);
    await seedInTransaction({ ...d, org: first, now: d.clock.now() }, async ({ by, as }) => {
      const ctx = as(by(FIRST.organizer));
      for (const g of FIRST_GROUPS)
        for (const name of g.members.slice(1))
          await changeRegister(
            ctx,
            first,
            { openId: by(name).open_id, name },
            { party_group: g.name, group_leader: 0 },
          );
    });
  };
  await Promise.all([firstBranch(), branch(SECOND), branch(THIRD)]);

  // The 机关党委: bound by its 书记 with the three 支部 书记 in its group, its level set; each 支部 asked
  // to come under it, and its 书记 agrees on the card in the 支部's group.
  const upperSecretary = emu.addUser(UPPER.secretary);
  const upperInspector = emu.addUser(UPPER.inspector);
  const upperChat = await group(`${UPPER_ORG}工作群`, upperSecretary, [
    upperInspector,
    ...BRANCHES.map((b) => user(b.secretary)),
  ]);
  await say(upperChat, upperSecretary, `/绑定 ${UPPER_ORG}`);
  await say(upperChat, upperSecretary, `/角色 ${at(upperInspector)} 纪检委员`);
  await say(upperChat, upperSecretary, `/组织 级别 ${UPPER_ORG}`);
  const upper = await orgOf(UPPER_ORG);
  const asked = new Map(BRANCHES.map((b) => [b.org, emu.botMessages(chats.get(b.org) as string).length]));
  for (const b of BRANCHES) await say(upperChat, upperSecretary, `/组织 下级 添加 ${b.org}`);
  const agree = async (b: BranchSpec) => {
    const chatId = chats.get(b.org) as string;
    const card = await emu.waitFor(
      () =>
        emu
          .botMessages(chatId)
          .slice(asked.get(b.org))
          .find((m) => buttonValue(m.content, '同意') !== undefined),
      { what: `the request card in ${b.org}`, timeoutMs: TIMEOUT },
    );
    await emu.click({
      messageId: card.messageId,
      from: user(b.secretary).openId,
      value: buttonValue(card.content, '同意'),
    });
    await emu.waitFor(async () => (await orgOf(b.org)).parent_id === upper.id, {
      what: `${b.org} under ${UPPER_ORG}`,
      timeoutMs: TIMEOUT,
    });
  };
  await Promise.all(BRANCHES.map(agree));

  // The records behind the colours, then one item 下发 to all three and the 总览 in the 机关党委 group.
  await seedBranchRecords({ ...d, now: d.clock.now() }, await Promise.all(BRANCHES.map((b) => orgOf(b.org))));
  await seedIssued(
    { ...d, org: upper, now: d.clock.now() },
    {
      say: (org, name, text) => say(org === UPPER_ORG ? upperChat : (chats.get(org) as string), user(name), text),
      mention: (name) => at(user(name)),
      orgs: await Promise.all(BRANCHES.map((b) => orgOf(b.org))),
      now: () => d.clock.now(),
    },
  );
  await say(upperChat, upperSecretary, '/总览');
}
