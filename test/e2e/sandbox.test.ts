/**
 * The sandbox as a visitor meets it:
 * - `npm start` without credentials (the real entry point) prints one line with the console URL
 *   within 10 s, and the console and API answer on loopback;
 * - the demo org is seeded once (书记, 纪检委员, 组织委员, 宣传委员 and six 党员, bound, with roles);
 * - a restart keeps what the visitor did and does not seed again; `sandbox reset` starts fresh.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { listMembers } from '../../src/db/repositories/members.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/run.ts';
import { DEMO_ORG } from '../../src/sandbox/seed.ts';
import { messageText } from '../helpers/bot.ts';
import { drained } from '../helpers/converse.ts';
import { botArgs, cliArgs } from '../helpers/entry.ts';

describe('sandbox', () => {
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.stop();
    sb = undefined;
  });

  it('npm start without credentials prints the console URL within 10 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-start-'));
    const child = spawn(process.execPath, botArgs(), {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', DATABASE_URL: join(dir, 'sandbox.db') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const started = Date.now();
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no URL within 10 s; output: ${out}`)), 10_000);
        child.stdout.on('data', (d) => {
          out += String(d);
          const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(out);
          }
        });
        child.stderr.on('data', (d) => {
          out += String(d);
        });
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(line.trim().split('\n')).toHaveLength(1);
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1] as string;
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('清风');
      const state = (await (await fetch(`${url}api/state`)).json()) as { users: unknown[]; chats: { type: string }[] };
      expect(state.users).toHaveLength(10);
      expect(state.chats.filter((c) => c.type === 'group')).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);

  it('seeds the demo org once, keeps what the visitor did across a restart, and resets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-sandbox-'));
    const databaseUrl = join(dir, 'sandbox.db');
    const config = loadConfig({ PORT: '0' });
    sb = await startSandbox({ config, databaseUrl, logFile: join(dir, 'sandbox.log') });
    const group = [...sb.emu.store.chats.values()].find((c) => c.type === 'group');
    expect(group).toBeDefined();
    const org = await findOrgByName(sb.db.db, DEMO_ORG);
    expect(org).toBeDefined();
    const roles = (await listMembers(sb.db.db, org?.id ?? 0)).map((m) => m.role).sort();
    expect(roles).toEqual([
      'inspector',
      'member',
      'member',
      'member',
      'member',
      'member',
      'member',
      'organizer',
      'publicity',
      'secretary',
    ]);

    const secretary = group?.ownerOpenId as string;
    await sb.emu.sendText({
      chatId: group?.chatId as string,
      from: secretary,
      text: '/我的 访客留下的消息',
      mentionBot: true,
    });
    await sb.emu.waitFor(() =>
      sb?.emu.botMessages(group?.chatId as string).some((m) => messageText(m).includes('多余的参数')),
    );
    // Everything the seeding and the command queued has reached the emulator (a stop hands unsent rows
    // back to the next start, which would send them after the count).
    await drained(sb, 20_000);
    const count = sb.emu.store.messages.size;
    await sb.stop();

    sb = await startSandbox({ config, databaseUrl, logFile: join(dir, 'sandbox.log') });
    expect(sb.emu.store.messages.size).toBe(count);
    const again = sb.emu.store.messagesIn(group?.chatId as string);
    expect(again.some((m) => messageText(m).includes('访客留下的消息'))).toBe(true);
    expect([...sb.emu.store.users.values()]).toHaveLength(10);
    // The bot still answers in the restored world (same bot identity).
    await sb.emu.sendText({ chatId: group?.chatId as string, from: secretary, text: '/帮助', mentionBot: true });
    await sb.emu.waitFor(() =>
      sb?.emu.botMessages(group?.chatId as string).some((m) => messageText(m).includes('可用命令')),
    );
    await sb.stop();
    sb = undefined;

    const reset = spawnSync(process.execPath, cliArgs('sandbox', 'reset'), {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl },
      encoding: 'utf8',
    });
    expect(reset.status).toBe(0);
    expect(reset.stdout).toContain('已清空沙箱数据');
    expect(existsSync(databaseUrl)).toBe(false);
  }, 60_000);
});
