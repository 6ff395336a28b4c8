/**
 * The sandbox as a visitor meets it:
 * - `npm start` without credentials (the real entry point) prints one line with the console URL
 *   within 10 s, and the console, its API and `GET /healthz` answer on loopback;
 * - the demo org is seeded once (书记, 纪检委员, 组织委员, 宣传委员 and six 党员, bound, with roles);
 * - a restart keeps what the visitor did and does not seed again; `sandbox reset` starts fresh;
 * - the control API answers only its own console: cross-site POSTs (`text/plain`, a foreign Origin)
 *   and a foreign Host (DNS rebinding) are refused with 403 and change nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { listMembers } from '../../src/db/repositories/members.ts';
import { findOrgByName } from '../../src/db/repositories/orgs.ts';
import { foreignRequest } from '../../src/sandbox/control-api.ts';
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
      // 第一党支部's ten and its two newcomers, 第二 and 第三党支部's ten each, the 机关党委's two (seed-hierarchy.ts).
      expect(state.users).toHaveLength(34);
      expect(state.chats.filter((c) => c.type === 'group')).toHaveLength(4);
      // README: `GET /healthz` always — in sandbox mode too, on the console's port.
      const health = await fetch(`${url}healthz`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe('ok');
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
    // Six 党员 and the two 预备党员 who joined since (seed-hierarchy.ts).
    expect(roles).toEqual([
      'inspector',
      'member',
      'member',
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
    expect([...sb.emu.store.users.values()]).toHaveLength(34);
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

  it('the control API answers only its own console (same origin, JSON, a loopback Host)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-sandbox-csrf-'));
    sb = await startSandbox({
      config: loadConfig({ PORT: '0' }),
      databaseUrl: join(dir, 'sandbox.db'),
      logFile: join(dir, 'sandbox.log'),
    });
    const port = Number(new URL(sb.url).port);
    const group = [...sb.emu.store.chats.values()].find((c) => c.type === 'group') as {
      chatId: string;
      ownerOpenId: string;
    };
    const send = JSON.stringify({ chatId: group.chatId, from: group.ownerOpenId, text: '/帮助', mentionBot: true });
    const call = (method: string, path: string, headers: Record<string, string>, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    // Messages users sent (the bot may still be posting the seeded cards meanwhile).
    const messages = () => [...(sb?.emu.store.messages.values() ?? [])].filter((m) => m.senderType === 'user').length;
    const before = messages();
    const host = `127.0.0.1:${port}`;
    const json = { 'content-type': 'application/json' };
    // A cross-site form or fetch: text/plain (no preflight), with or without the attacker's Origin.
    expect(
      await call('POST', '/api/send', { host, 'content-type': 'text/plain', origin: 'http://evil.example' }, send),
    ).toBe(403);
    expect(await call('POST', '/api/send', { host, 'content-type': 'text/plain' }, send)).toBe(403);
    expect(await call('POST', '/api/send', { host, ...json, origin: 'http://evil.example' }, send)).toBe(403);
    expect(
      await call('POST', '/api/clock', { host, 'content-type': 'application/x-www-form-urlencoded' }, 'reset=1'),
    ).toBe(403);
    // DNS rebinding: the attacker's name now points at 127.0.0.1, so the Host is theirs.
    expect(await call('GET', '/api/state', { host: `evil.example:${port}` })).toBe(403);
    expect(
      await call(
        'POST',
        '/api/send',
        { host: `evil.example:${port}`, ...json, origin: `http://evil.example:${port}` },
        send,
      ),
    ).toBe(403);
    expect(await call('GET', '/', { host: 'evil.example' })).toBe(403);
    expect(await call('GET', '/api/state', { host: '127.0.0.1:1' })).toBe(403);
    expect(messages()).toBe(before);
    // The console itself: same origin (or none), JSON, a loopback Host by any of its names.
    expect(await call('GET', '/api/state', { host })).toBe(200);
    expect(await call('GET', '/api/state', { host: `localhost:${port}` })).toBe(200);
    expect(
      await call(
        'POST',
        '/api/p2p',
        { host, ...json, origin: `http://${host}` },
        JSON.stringify({ openId: group.ownerOpenId }),
      ),
    ).toBe(200);
    expect(
      await call(
        'POST',
        '/api/send',
        { host: `localhost:${port}`, 'content-type': 'application/json; charset=utf-8' },
        send,
      ),
    ).toBe(200);
  }, 30_000);

  it('tells the console’s own requests from foreign ones (unit)', () => {
    const ok = {
      method: 'POST',
      host: '127.0.0.1:8080',
      origin: 'http://127.0.0.1:8080',
      contentType: 'application/json',
    };
    expect(foreignRequest(ok, 8080)).toBeUndefined();
    expect(foreignRequest({ ...ok, host: '[::1]:8080', origin: 'http://[::1]:8080' }, 8080)).toBeUndefined();
    expect(foreignRequest({ ...ok, origin: undefined }, 8080)).toBeUndefined();
    expect(foreignRequest({ ...ok, host: 'LOCALHOST:8080', origin: 'http://localhost:8080' }, 8080)).toBeUndefined();
    expect(foreignRequest({ ...ok, origin: 'null' }, 8080)).toBe('cross-origin request');
    expect(foreignRequest({ ...ok, origin: 'http://localhost:8080' }, 8080)).toBe('cross-origin request');
    expect(foreignRequest({ ...ok, contentType: 'text/plain;charset=UTF-8' }, 8080)).toMatch(/content type/);
    expect(foreignRequest({ ...ok, contentType: undefined }, 8080)).toMatch(/content type/);
    expect(foreignRequest({ ...ok, host: '127.0.0.1:8081' }, 8080)).toBe('host is not this console');
    expect(foreignRequest({ ...ok, host: '127.0.0.2:8080' }, 8080)).toBe('host is not this console');
    expect(foreignRequest({ ...ok, host: undefined }, 8080)).toBe('host is not this console');
    expect(foreignRequest({ ...ok, host: 'localhost', origin: 'http://localhost' }, 80)).toBeUndefined();
    expect(foreignRequest({ ...ok, host: 'localhost' }, 8080)).toBe('host is not this console');
    expect(foreignRequest({ ...ok, host: 'evil.example:8080', origin: 'http://evil.example:8080' }, 8080)).toBe(
      'host is not this console',
    );
    expect(
      foreignRequest({ ...ok, method: 'GET', contentType: undefined, origin: 'http://evil' }, 8080),
    ).toBeUndefined();
  });
});
