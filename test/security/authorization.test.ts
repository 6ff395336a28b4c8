/**
 * Authorisation matrix generated from the registries: every command and verb (its first usage example) and
 * every card action × each role, a user of no org and another org's secretary. The expected answer comes from
 * the declarations (`access`, `roles`): refusals are exact and change nothing; allowed people are never refused
 * by role; another org's secretary, pointed at this org's records, changes and sees nothing of them.
 * A former 纪检委员, removed from every group of the org (Feishu's member-deleted event), is a persona
 * too: from the private chat every command and card action that needs membership is refused, saying
 * they left, and changes nothing. Binding and roles: only the chat's owner (or BOT_ADMINS) binds a
 * group, only the 书记 grants or removes 书记 and 副书记, and nobody raises their own role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import type { CommandModule, Runnable } from '../../src/core/contracts.ts';
import { findMember, findMemberRecord } from '../../src/db/repositories/members.ts';
import { findOrgByChat, findOrgByName } from '../../src/db/repositories/orgs.ts';
import { CommandRegistry } from '../../src/router/registry.ts';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, startBot } from '../helpers/bot.ts';
import {
  ALL_ROLES,
  accessRefusal,
  buttonOf,
  domainSnapshot,
  isRoleRefusal,
  ROLE_TITLE,
  type RoleName,
  roleRefusal,
  say,
  settle,
  textOf,
  WRONG_CHAT_GROUP,
  WRONG_CHAT_P2P,
} from '../helpers/security-world.ts';

/** Text only the first org's records carry: it must never show up for anyone outside it. */
const SECRET = '甲支部内部线索';
const FAULT = /^出错了/;
/** The answer to someone whose membership ended when they left the org's groups. */
const LEFT = '您已不在「第一党支部」的群聊中，在该组织的成员身份和权限已随之结束。如需恢复，请联系书记把您拉回群聊。';
const LEADERS = '只有书记或系统管理员可以任免书记、副书记。';
const SELF_RAISE = '不能提升自己的角色（也不能改为同级角色）。请由书记设置。';
const OWNER_ONLY = '只有群主或系统管理员可以绑定群聊。';
/** /绑定 sent privately: binding binds the group it is sent in (commands/bind.ts). */
const BIND_IN_GROUP =
  '绑定要在党组织的群聊中完成：请群主（或系统管理员）把清风拉进本组织的群聊，在群里@清风 发送“/绑定 组织名”。\n用法：/绑定 第一党支部';
/** How much a role may do (commands/role.ts, written out again): nobody sets their own role as high or higher. */
const RANK: Record<RoleName, number> = {
  secretary: 5,
  deputy: 4,
  inspector: 3,
  organizer: 3,
  publicity: 2,
  observer: 2,
  member: 1,
};

interface Persona {
  key: string;
  user: EmuUser;
  /** The role in the first org; undefined for the no-org user, the other org's secretary and who left. */
  role: RoleName | undefined;
  /** `left`: a 纪检委员 of the first org removed from all its groups (no membership any more). */
  kind: 'role' | 'none' | 'other' | 'left';
  /** Where group commands are sent. */
  group: string | undefined;
  p2p: string;
  /** A bot message in a chat this person is in, to click on. */
  card: string;
}

interface World {
  org1: number;
  org2: number;
  target: EmuUser;
  personas: Persona[];
  ids: { rect: number; task: number; meeting: number; study: number; extension: number };
  versions: { rect: number; task: number };
}

const registry = new CommandRegistry(commands);

/** Every command and verb with its label. */
const runnables: { command: CommandModule; runnable: Runnable<unknown, unknown>; label: string; verb: boolean }[] =
  commands.flatMap((c) => [
    { command: c, runnable: c as Runnable<unknown, unknown>, label: c.name, verb: false },
    ...(c.subcommands ?? []).map((s) => ({
      command: c,
      runnable: s as Runnable<unknown, unknown>,
      label: `${c.name}.${s.name}`,
      verb: true,
    })),
  ]);

describe('authorisation matrix', () => {
  let h: BotHarness;
  let w: World;

  beforeAll(async () => {
    h = await startBot({ clock: fixedClock('2026-12-01T02:00:00Z') });
    const users = Object.fromEntries(ALL_ROLES.map((r) => [r, h.emu.addUser(`${ROLE_TITLE[r]}甲`)])) as Record<
      RoleName,
      EmuUser
    >;
    const target = h.emu.addUser('张三');
    const nobody = h.emu.addUser('路人丙');
    const sec2 = h.emu.addUser('乙书记');
    const member2 = h.emu.addUser('乙党员');
    const leaver = h.emu.addUser('离任纪检委员');
    const everyone = [...Object.values(users), target, leaver].map((u) => u.openId);

    // One group per role, all bound to the first org: each person's replies have their own chat
    // (Feishu allows 5 messages per second per chat).
    const groups = {} as Record<RoleName, string>;
    for (const r of ALL_ROLES) {
      const chat = h.emu.createGroup({
        name: `第一党支部·${ROLE_TITLE[r]}群`,
        owner: users.secretary.openId,
        members: everyone,
      });
      const bound = await say(h, chat.chatId, users.secretary, '/绑定 第一党支部');
      expect(bound.texts.join('')).toContain('已绑定');
      groups[r] = chat.chatId;
    }
    for (const r of ALL_ROLES) {
      if (r === 'secretary' || r === 'member') continue;
      const set = await say(h, groups.secretary, users.secretary, `/角色 @{${users[r].openId}} ${ROLE_TITLE[r]}`);
      expect(set.texts.join('')).toContain(`角色设为${ROLE_TITLE[r]}`);
    }
    const leaverSet = await say(h, groups.secretary, users.secretary, `/角色 @{${leaver.openId}} 纪检委员`);
    expect(leaverSet.texts.join('')).toContain('角色设为纪检委员');
    const g2 = h.emu.createGroup({ name: '第二党支部', owner: sec2.openId, members: [member2.openId] });
    await say(h, g2.chatId, sec2, '/绑定 第二党支部');
    const org1 = (await findOrgByName(h.db.db, '第一党支部'))?.id as number;
    const org2 = (await findOrgByName(h.db.db, '第二党支部'))?.id as number;
    expect(org1).toBeGreaterThan(0);
    expect(org2).toBeGreaterThan(0);

    // The first org's records, made through the bot's own forms.
    const sec = users.secretary;
    const g1 = groups.secretary;
    const submit = async (command: string, button: string, formValue: Record<string, unknown>) => {
      const form = (await say(h, g1, sec, command)).replies[0];
      if (!form) throw new Error(`no form for ${command}`);
      const b = buttonOf(form, button);
      const r = await h.emu.click({
        messageId: form.messageId,
        from: sec.openId,
        value: b.value,
        name: b.name,
        formValue,
      });
      expect(r.error).toBeUndefined();
      expect(r.toast?.type, JSON.stringify(r.toast)).toBe('success');
      await settle(h);
    };
    await submit('/整改 新建', '创建', {
      problem: `${SECRET}：党费收缴台账不全`,
      measures: `${SECRET}：逐月核对`,
      owner: users.member.openId,
      leader: '书记甲',
      deadline: '2026-12-20 +0800',
      kind: 'centralized',
      source: '巡察',
      area: '组织建设',
    });
    await submit('/任务 新建', '创建', {
      content: `${SECRET}：每月召开支委会研究党风廉政建设`,
      owners: [users.member.openId],
      leader: '书记甲',
      cadence: 'once',
      due: '2026-12-25 +0800',
      category: '组织建设',
      evidence: '',
    });
    await submit('/会议 新建 专题会议', '发布通知', {
      kind: 'special',
      title: `${SECRET}专题会议`,
      start: '2026-12-10 15:00 +0800',
      place: '三楼会议室',
      agenda: '学习传达',
      attendees: [],
    });
    await submit('/学习 新建 警示教育', '发布通知', {
      kind: 'warning',
      title: `${SECRET}警示教育`,
      start: '2026-12-11 15:00 +0800',
      place: '线上',
      agenda: '案例通报',
      attendees: [],
      days: '5',
    });
    await say(h, g1, sec, '/巡察 反馈 2026-11-20 2026年第一轮巡察');
    const db = h.db.db;
    const rect = await db.selectFrom('rectifications').selectAll().where('org_id', '=', org1).executeTakeFirstOrThrow();
    const task = await db.selectFrom('tasks').selectAll().where('org_id', '=', org1).executeTakeFirstOrThrow();
    const sessions = await db.selectFrom('sessions').selectAll().where('org_id', '=', org1).orderBy('id').execute();
    // A pending extension request (for the 延期 decision buttons).
    await say(h, groups.member, users.member, `/整改 延期 ${rect.id} 2026-12-28 ${SECRET}：等待上级批复`);
    const extension = await db
      .selectFrom('extension_requests')
      .selectAll()
      .where('org_id', '=', org1)
      .executeTakeFirstOrThrow();

    const p2p = (u: EmuUser) => h.emu.p2pChat(u.openId).chatId;
    const firstBotMessage = (chatId: string) => (h.emu.botMessages(chatId)[0] as { messageId: string }).messageId;
    // The no-org user has talked to the bot once, so there is a card in their private chat.
    await say(h, p2p(nobody), nobody, '/帮助');
    // The former 纪检委员 leaves group after group: a member while in any of them, no longer once out of all.
    for (const [i, r] of ALL_ROLES.entries()) {
      await h.emu.removeUsersFromChat(groups[r], [leaver.openId], { operator: users.secretary.openId });
      if (i < ALL_ROLES.length - 1) {
        const key = `evt:${h.emu.deliveries.at(-1)?.eventId}`;
        await h.emu.waitFor(
          async () =>
            (await h.db.db.selectFrom('processed_events').select('key').where('key', '=', key).executeTakeFirst()) !==
            undefined,
          { what: 'member-deleted handled' },
        );
        expect((await findMember(h.db.db, org1, leaver.openId))?.role, `after leaving ${r}`).toBe('inspector');
      }
    }
    await h.emu.waitFor(async () => (await findMember(h.db.db, org1, leaver.openId)) === undefined, {
      what: 'membership ended',
    });
    expect((await findMemberRecord(h.db.db, org1, leaver.openId))?.left_at).toBeTruthy();
    await say(h, p2p(leaver), leaver, '/帮助');
    const personas: Persona[] = [
      ...ALL_ROLES.map((r) => ({
        key: r,
        user: users[r],
        role: r,
        kind: 'role' as const,
        group: groups[r],
        p2p: p2p(users[r]),
        card: firstBotMessage(groups[r]),
      })),
      {
        key: 'no org',
        user: nobody,
        role: undefined,
        kind: 'none',
        group: undefined,
        p2p: p2p(nobody),
        card: firstBotMessage(p2p(nobody)),
      },
      {
        key: 'another org',
        user: sec2,
        role: undefined,
        kind: 'other',
        group: g2.chatId,
        p2p: p2p(sec2),
        card: firstBotMessage(g2.chatId),
      },
      {
        key: 'left the org',
        user: leaver,
        role: undefined,
        kind: 'left',
        group: undefined,
        p2p: p2p(leaver),
        card: firstBotMessage(p2p(leaver)),
      },
    ];
    w = {
      org1,
      org2,
      target,
      personas,
      ids: {
        rect: rect.id,
        task: task.id,
        meeting: (sessions.find((s) => s.category === 'meeting') as { id: number }).id,
        study: (sessions.find((s) => s.category === 'study') as { id: number }).id,
        extension: extension.id,
      },
      versions: { rect: rect.version, task: task.version },
    };
  }, 60_000);

  afterAll(async () => h?.stop());

  /** A row of the matrix may wait out Feishu's per-minute limit once (test/helpers/security-world.ts). */
  const MATRIX_MS = 180_000;

  /** The first usage example, with @张三 → a real member and a record number → one of the first org's. */
  function example(command: CommandModule, runnable: Runnable<unknown, unknown>, verb: boolean): string {
    const usage = runnable.usage[0];
    if (!usage) throw new Error(`${command.name} has no usage example`);
    const tokens = usage.split(/\s+/);
    const idAt = verb ? 2 : 1;
    const entity: Record<string, number> = {
      rectify: w.ids.rect,
      task: w.ids.task,
      meeting: w.ids.meeting,
      study: w.ids.study,
    };
    if (tokens[idAt] && /^\d+$/.test(tokens[idAt]) && entity[command.name] !== undefined) {
      tokens[idAt] = String(entity[command.name]);
    }
    return tokens.join(' ').replace(/@[^\s@，]+/g, `@{${w.target.openId}}`);
  }

  for (const command of commands) {
    it(
      `/${command.name} and its verbs × every role, no org, another org`,
      async () => {
        for (const { runnable, label, verb } of runnables.filter((r) => r.command === command)) {
          const access = runnable.access;
          const text = example(command, runnable, verb);
          const cases = w.personas.map((p) => {
            const outside = p.kind === 'none' || p.kind === 'left';
            const chatType: 'p2p' | 'group' = outside || access.chat === 'p2p' ? 'p2p' : 'group';
            const declared = accessRefusal(access, {
              chat: chatType,
              hasOrg: !outside,
              role: p.kind === 'other' ? 'secretary' : p.role,
            });
            // /绑定 says how binding is done instead of the chat rule's general sentence.
            const expected = command.name === 'bind' && declared === WRONG_CHAT_GROUP ? BIND_IN_GROUP : declared;
            return {
              p,
              chatId: chatType === 'p2p' ? p.p2p : (p.group as string),
              where: `${label} by ${p.key}: ${text}`,
              // Who left is told so, whatever the command needs of a member.
              expected:
                p.kind === 'left' &&
                expected !== undefined &&
                expected !== WRONG_CHAT_GROUP &&
                expected !== BIND_IN_GROUP &&
                expected !== WRONG_CHAT_P2P
                  ? LEFT
                  : expected,
            };
          });
          // The refusals, sent together (each person has their own chat): none of them changes anything.
          const refused = cases.filter((c) => c.expected !== undefined);
          const before = await domainSnapshot(h.db.db);
          const answers = await Promise.all(refused.map((c) => say(h, c.chatId, c.p.user, text)));
          refused.forEach((c, i) => {
            const { texts, replies } = answers[i] as Awaited<ReturnType<typeof say>>;
            expect(texts, c.where).toEqual([c.expected]);
            expect(replies[0]?.msgType, c.where).toBe('text');
          });
          expect(
            await domainSnapshot(h.db.db),
            `${label} refused to ${refused.map((c) => c.p.key).join(', ')}`,
          ).toEqual(before);
          // The people allowed, one at a time: never refused by role, never a fault.
          const allowed = cases.filter((c) => c.expected === undefined);
          for (const c of allowed) {
            const before1 = c.p.kind === 'other' ? await domainSnapshot(h.db.db, w.org1) : undefined;
            const { texts } = await say(h, c.chatId, c.p.user, text);
            for (const t of texts) {
              expect(isRoleRefusal(t), `${c.where} → ${t}`).toBe(false);
              expect(t, c.where).not.toMatch(FAULT);
            }
            if (c.p.kind === 'other') {
              expect(await domainSnapshot(h.db.db, w.org1), c.where).toEqual(before1);
              // Whatever reached the other org's chats holds nothing of the first org's records.
              for (const m of [...h.emu.botMessages(c.chatId), ...h.emu.botMessages(c.p.p2p)]) {
                expect(textOf(m), c.where).not.toContain(SECRET);
              }
            }
          }
          // Someone may always run it: a declaration nobody meets would be a dead command.
          expect(allowed.length, label).toBeGreaterThan(0);
        }
      },
      MATRIX_MS,
    );
  }

  it(
    'every card action × every role, no org, another org: refused exactly as declared, nothing changed',
    async () => {
      const ids = registry.actionIds();
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) {
        const spec = registry.action(id)?.spec;
        if (!spec) throw new Error(`no action ${id}`);
        const cases = w.personas.map((p) => {
          const expected = roleRefusal(spec.roles, p.kind === 'role' ? p.role : undefined);
          return { p, where: `${id} by ${p.key}`, expected: p.kind === 'left' && expected ? LEFT : expected };
        });
        // Forged callbacks (no such button on the card): the bot's own checks are under test, not the client's.
        const click = (p: Persona) =>
          h.emu.click({ messageId: p.card, from: p.user.openId, value: { a: id, o: w.org1 }, bypassClient: true });
        // Refused clicks, together: the exact toast, no card, nothing changed.
        const refused = cases.filter((c) => c.expected !== undefined);
        const before = await domainSnapshot(h.db.db);
        const answers = await Promise.all(refused.map((c) => click(c.p)));
        refused.forEach((c, i) => {
          const r = answers[i];
          expect(r?.error, c.where).toBeUndefined();
          expect(r?.toast, c.where).toEqual({ type: 'error', content: c.expected });
          expect(r?.card, c.where).toBeUndefined();
        });
        await settle(h);
        expect(await domainSnapshot(h.db.db), `${id} refused to ${refused.map((c) => c.p.key).join(', ')}`).toEqual(
          before,
        );
        // Allowed clicks (with an otherwise empty value): anything but a role refusal or a fault.
        for (const c of cases.filter((x) => x.expected === undefined)) {
          const r = await click(c.p);
          expect(r.error, c.where).toBeUndefined();
          const toast = r.toast?.content ?? '';
          expect(isRoleRefusal(toast), `${c.where} → ${toast}`).toBe(false);
          expect(toast, c.where).not.toMatch(FAULT);
        }
        await settle(h);
      }
    },
    MATRIX_MS,
  );

  it(
    "another org's secretary, acting in their own org on the first org's records, changes and sees nothing of them",
    async () => {
      const other = w.personas.find((p) => p.kind === 'other') as Persona;
      const member = (w.personas.find((p) => p.role === 'member') as Persona).user;
      /** A value for each field of an action's schema, pointing at the first org's records. */
      const valueFor = (id: string, schema: z.ZodType): Record<string, unknown> => {
        const kind = id.split('.')[0] as string;
        const record = { rectify: w.ids.rect, task: w.ids.task, meeting: w.ids.meeting, import: w.ids.rect }[kind] ?? 1;
        const version = { rectify: w.versions.rect, task: w.versions.task }[kind] ?? 0;
        const numbers: Record<string, number> = { id: record, ver: version, r: w.ids.extension, i: 1, p: 1 };
        const strings: Record<string, string> = { f: 'all', q: '2026Q4', m: 'om_x', k: 'file_x', n: 'x.pdf' };
        const out: Record<string, unknown> = {};
        if (!(schema instanceof z.ZodObject)) return out;
        for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
          const type = (field as unknown as { _zod: { def: { type: string } } })._zod.def.type;
          if (type === 'enum') out[key] = (field as unknown as { options: unknown[] }).options[0];
          else if (type === 'boolean') out[key] = false;
          else if (type === 'number') out[key] = numbers[key] ?? 1;
          else out[key] = strings[key] ?? 'x';
        }
        return out;
      };
      const formValue = {
        item: `r:${w.ids.rect}`,
        owner: member.openId,
        owners: [member.openId],
        attendees: [member.openId],
        problem: '问题',
        measures: '措施',
        deadline: '2026-12-30 +0800',
        content: '内容',
        cadence: 'once',
        due: '2026-12-30 +0800',
        kind: 'special',
        title: '标题',
        start: '2026-12-20 15:00 +0800',
        percent: '50',
        done: '做了',
        status: 'in_progress',
        reason: '理由',
        date: '2026-12-31 +0800',
        minutes: '纪要',
        text: '履责情况'.repeat(30),
      };
      for (const id of registry.actionIds()) {
        const spec = registry.action(id)?.spec;
        if (!spec) throw new Error(`no action ${id}`);
        const value = { ...valueFor(id, spec.value), a: id, o: w.org2 };
        const before = await domainSnapshot(h.db.db, w.org1);
        // A forged callback (no client sends it): the bot's own checks are under test.
        const r = await h.emu.click({
          messageId: other.card,
          from: other.user.openId,
          value,
          formValue,
          bypassClient: true,
        });
        await settle(h);
        const where = `${id} ${JSON.stringify(value)}`;
        expect(r.error, where).toBeUndefined();
        expect(r.toast?.content ?? '', where).not.toMatch(FAULT);
        expect(JSON.stringify(r), where).not.toContain(SECRET);
        expect(await domainSnapshot(h.db.db, w.org1), where).toEqual(before);
        for (const m of [...h.emu.botMessages(other.group as string), ...h.emu.botMessages(other.p2p)]) {
          expect(textOf(m), where).not.toContain(SECRET);
        }
      }
    },
    MATRIX_MS,
  );
  it(
    'binding and roles: only the owner or BOT_ADMINS bind; only the 书记 grants or removes 书记 and 副书记; nobody raises their own role',
    async () => {
      const byRole = w.personas.filter((p) => p.kind === 'role');
      const other = w.personas.find((p) => p.kind === 'other') as Persona;
      const secretary = (byRole.find((p) => p.role === 'secretary') as Persona).user;
      // A group the target owns, with every persona in it: none of them may bind it, to any org.
      const foreign = h.emu.createGroup({
        name: '张三的群',
        owner: w.target.openId,
        members: [...byRole, other].map((p) => p.user.openId),
      });
      await say(h, foreign.chatId, w.target, '/帮助');
      const before = await domainSnapshot(h.db.db);
      for (const p of [...byRole, other]) {
        for (const org of ['第一党支部', '第二党支部', '新建的支部']) {
          const r = await say(h, foreign.chatId, p.user, `/绑定 ${org}`);
          expect(r.texts, `${p.key} binds ${org}`).toEqual([OWNER_ONLY]);
        }
      }
      expect(await findOrgByChat(h.db.db, foreign.chatId)).toBeUndefined();
      // Re-binding the org's own groups: nobody but their owner (the secretary).
      for (const p of byRole.filter((x) => x.role !== 'secretary')) {
        const r = await say(h, p.group as string, p.user, '/绑定 第二党支部');
        expect(r.texts, `${p.key} re-binds`).not.toContain('已绑定');
        expect((await findOrgByChat(h.db.db, p.group as string))?.id, p.key).toBe(w.org1);
      }
      // Roles: every admin tries to raise themself to each role at least as high, and to set the 书记's role.
      const ADMIN_TITLES = new Set<RoleName>(['secretary', 'deputy', 'inspector', 'organizer']);
      for (const p of byRole) {
        const role = p.role as RoleName;
        for (const next of ALL_ROLES) {
          if (next === role) continue;
          let expected: string | undefined;
          if (!ADMIN_TITLES.has(role)) expected = '需要书记、副书记、纪检委员或组织委员权限。';
          else if ((next === 'secretary' || next === 'deputy' || role === 'deputy') && role !== 'secretary')
            expected = LEADERS;
          else if (RANK[next] >= RANK[role]) expected = SELF_RAISE;
          if (expected === undefined) continue; // a step down: allowed, and not tried here
          const r = await say(h, p.group as string, p.user, `/角色 @{${p.user.openId}} ${ROLE_TITLE[next]}`);
          expect(r.texts, `${p.key} sets themself ${next}`).toEqual([expected]);
        }
        if (role === 'secretary') continue;
        for (const next of ALL_ROLES.filter((x) => x !== 'secretary')) {
          const r = await say(h, p.group as string, p.user, `/角色 @{${secretary.openId}} ${ROLE_TITLE[next]}`);
          const expected = ADMIN_TITLES.has(role) ? LEADERS : '需要书记、副书记、纪检委员或组织委员权限。';
          expect(r.texts, `${p.key} sets the secretary ${next}`).toEqual([expected]);
        }
      }
      expect(await domainSnapshot(h.db.db)).toEqual(before);
    },
    MATRIX_MS,
  );
});
