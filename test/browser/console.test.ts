/**
 * The sandbox web console in headless Chromium against the real bot: a command sent from the composer
 * renders its card; a member's button click updates the card in place with a toast; a form with a date
 * picker submits Feishu's form_value format; the @ picker encodes mentions; a job run from the clock panel
 * posts into a private chat; user text and card markdown with HTML stay text (no script runs).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET, type Sandbox, startSandbox } from '../../src/sandbox/run.ts';

const ARTIFACTS = 'test-artifacts/browser';
const README_SHOT = 'src/sandbox/console/readme-screenshot.png';
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WAIT = { timeout: 10_000 };

describe('sandbox console (browser)', () => {
  let dir: string;
  let sandbox: Sandbox;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const userId = (name: string): string => {
    const u = [...sandbox.emu.store.users.values()].find((x) => x.name === name);
    if (!u) throw new Error(`no user ${name}`);
    return u.openId;
  };
  const groupId = () => [...sandbox.emu.store.chats.values()].find((c) => c.type === 'group')?.chatId ?? '';

  /** The message (row) holding the newest card with this title. */
  const cardMsg = (title: string): Locator =>
    page.locator('.msg', { has: page.locator('.card-title', { hasText: title }) }).last();
  const toastWith = (text: string): Locator => page.locator('.toast', { hasText: text });
  const actAs = async (name: string) => {
    await page.selectOption('#identity', userId(name));
  };
  const openChat = async (name: string) => {
    await page.locator('.chat-item', { hasText: name }).first().click();
    await page.locator('#chat-title', { hasText: name }).waitFor(WAIT);
  };
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  /** Sends a card into the group as the bot, through the emulator's real Open API. */
  const postCardAsBot = async (card: object): Promise<string> => {
    const base = sandbox.emu.url;
    const auth = (await (
      await fetch(`${base}/open-apis/auth/v3/tenant_access_token/internal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app_id: SANDBOX_APP_ID, app_secret: SANDBOX_APP_SECRET }),
      })
    ).json()) as { tenant_access_token: string };
    const res = (await (
      await fetch(`${base}/open-apis/im/v1/messages?receive_id_type=chat_id`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${auth.tenant_access_token}` },
        body: JSON.stringify({ receive_id: groupId(), msg_type: 'interactive', content: JSON.stringify(card) }),
      })
    ).json()) as { code: number; msg: string; data?: { message_id: string } };
    expect(res.code, res.msg).toBe(0);
    return res.data?.message_id ?? '';
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'qf-console-'));
    sandbox = await startSandbox({
      config: loadConfig({ PORT: '0', LOG_LEVEL: 'info' }),
      databaseUrl: join(dir, 'sandbox.db'),
      logFile: join(dir, 'sandbox.log'),
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(sandbox.url);
    await page.locator('body[data-ready]').waitFor(WAIT);
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends /帮助 as the secretary and renders the help card', async () => {
    // The default identity is the group owner (书记), in the group chat.
    expect(await page.inputValue('#identity')).toBe(userId('李明华'));
    await page.locator('#chat-title', { hasText: '第一党支部工作群' }).waitFor(WAIT);
    await page.fill('#input', '/帮助');
    await page.press('#input', 'Enter');

    const help = cardMsg('清风 · 可用命令');
    await help.waitFor(WAIT);
    expect(await help.locator('.card-subtitle').textContent()).toBe('当前组织：第一党支部');
    expect(await help.locator('.card-header').getAttribute('class')).toContain('tpl-red');
    expect(await help.locator('button.cbtn', { hasText: '我的' }).isEnabled()).toBe(true);
    // The command went out as the secretary, @清风 first (the checkbox is on in groups).
    const sent = sandbox.emu.store
      .messagesIn(groupId())
      .filter((m) => m.senderType === 'user')
      .at(-1);
    expect(sent?.senderId).toBe(userId('李明华'));
    expect(sent?.mentions.map((m) => m.openId)).toEqual([sandbox.emu.bot.openId]);
    // The log panel shows the bot's Open API calls.
    await page.locator('.log-row', { hasText: '/im/v1/messages' }).first().waitFor(WAIT);
    // A row opens to whom the call went, the card's title, the status and Feishu code, and the body.
    const call = page.locator('.log-row', { hasText: '可用命令' }).first();
    await call.locator('summary').click();
    const detail = await call.locator('.log-detail').textContent();
    expect(detail).toContain('接收方第一党支部工作群（群聊）');
    expect(detail).toContain('卡片标题清风 · 可用命令');
    expect(detail).toMatch(/^时间\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d:\d\d/);
    expect(detail).toContain('HTTP 状态200');
    expect(detail).toContain('飞书 code0');
    expect(await call.locator('.log-body').textContent()).toContain('"msg_type": "interactive"');

    await shot('help-card');
    if (!existsSync(README_SHOT) || process.env.QF_README_SCREENSHOT === '1') {
      await page.screenshot({ path: README_SHOT });
    }
  });

  it('answers 我的 on the group card privately, with a toast; the group card stays as it is', async () => {
    await actAs('刘洋');
    const help = cardMsg('清风 · 可用命令');
    const id = await help.getAttribute('data-id');
    await help.locator('button.cbtn', { hasText: '我的' }).click();

    await toastWith('已私信发送，请在与清风的单聊中查看').waitFor(WAIT);
    expect(await page.locator(`.msg[data-id="${id}"]`).getAttribute('data-version')).toBe('0');
    expect(sandbox.emu.requireMessage(id ?? '').version).toBe(0);
    // 我的 arrives in 刘洋's private chat with the bot.
    await openChat('刘洋');
    await cardMsg('清风 · 可用命令').locator('.md', { hasText: '我的 · 刘洋' }).waitFor(WAIT);
    await shot('help-card-clicked');
    await openChat('第一党支部工作群');
  });

  it('submits a form with a date picker in Feishu form_value format', async () => {
    await actAs('王建国');
    const messageId = await postCardAsBot({
      schema: '2.0',
      config: { update_multi: true },
      header: { title: { tag: 'plain_text', content: '测试表单' }, template: 'green' },
      body: {
        elements: [
          {
            tag: 'form',
            name: 'f',
            elements: [
              {
                tag: 'input',
                name: 'note',
                required: true,
                label: { tag: 'plain_text', content: '说明' },
                placeholder: { tag: 'plain_text', content: '请填写' },
              },
              { tag: 'date_picker', name: 'day', placeholder: { tag: 'plain_text', content: '截止日期' } },
              {
                tag: 'button',
                name: 'submit',
                text: { tag: 'plain_text', content: '提交' },
                type: 'primary_filled',
                form_action_type: 'submit',
                behaviors: [{ type: 'callback', value: { a: 'help.run', cmd: 'help', v: 1 } }],
              },
            ],
          },
        ],
      },
    });
    const msg = page.locator(`.msg[data-id="${messageId}"]`);
    await msg.locator('.card-title', { hasText: '测试表单' }).waitFor(WAIT);

    // A required field left empty is refused locally, as the Feishu client does.
    const before = sandbox.emu.deliveries.filter((d) => d.type === 'card.action.trigger').length;
    await msg.locator('button.cbtn', { hasText: '提交' }).click();
    await toastWith('有必填项未填写').waitFor(WAIT);

    await msg.locator('input[name="note"]').fill('周三下午开会');
    await msg.locator('input[type="date"]').fill('2026-12-03');
    // The date reads in zh-CN whatever the browser's language.
    expect(await msg.locator('.zh-date-text').textContent()).toBe('2026年12月3日 周四');
    await shot('form-filled');
    const request = page.waitForRequest((r) => r.url().endsWith('/api/click') && r.method() === 'POST');
    await msg.locator('button.cbtn', { hasText: '提交' }).click();
    expect((await request).postDataJSON()).toEqual({
      messageId,
      from: userId('王建国'),
      value: { a: 'help.run', cmd: 'help', v: 1 },
      formValue: { note: '周三下午开会', day: '2026-12-03 +0800' },
      name: 'submit',
      tag: 'button',
    });

    // In the group the help action's 刷新 leaves the card as it is (a group card is shared).
    await toastWith('已刷新').waitFor(WAIT);
    await msg.locator('.card-title', { hasText: '测试表单' }).waitFor(WAIT);
    const after = sandbox.emu.deliveries.filter((d) => d.type === 'card.action.trigger');
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)?.acked).toBe(true);
  });

  it('encodes @ picker mentions as @{open_id}', async () => {
    await actAs('李明华');
    await page.uncheck('#mention-bot');
    await page.fill('#input', '请 ');
    await page.press('#input', 'End');
    await page.type('#input', '@');
    await page.locator('#mention-menu .mention-item', { hasText: '张晓燕' }).click();
    await page.type('#input', '看一下');
    expect(await page.inputValue('#input')).toBe('请 @张晓燕 看一下');
    await page.press('#input', 'Enter');

    await page
      .locator('.msg .text', { hasText: '看一下' })
      .last()
      .locator('.mention', { hasText: '@张晓燕' })
      .waitFor(WAIT);
    const sent = sandbox.emu.store
      .messagesIn(groupId())
      .filter((m) => m.senderType === 'user')
      .at(-1);
    expect(JSON.parse(sent?.content ?? '{}').text).toBe('请 @_user_1 看一下');
    expect(sent?.mentions.map((m) => m.openId)).toEqual([userId('张晓燕')]);
    await page.check('#mention-bot');
  });

  it('runs holiday-check from the clock panel and the reminder reaches the secretary privately', async () => {
    // Jobs are listed by their Chinese names, with their schedules in words.
    expect(await page.locator('#job-name option[value="holiday-check"]').textContent()).toBe(
      '节假日表检查（每天 09:05）',
    );
    await page.selectOption('#job-name', 'holiday-check');
    await page.fill('#job-time', '2026-12-01T09:30');
    expect(await page.locator('#clock-panel .zh-date-text').textContent()).toBe('2026年12月1日 周二 09:30');
    await page.click('#job-run');
    // One notice per org: the sandbox's four (第一党支部, and the 机关党委 with its two other 支部). In
    // December the sandbox's own first run of the jobs (at its start) may already have sent them: each
    // is sent once, now or then.
    await page.locator('#job-result', { hasText: '应发 4 · 已发' }).waitFor(WAIT);
    const counts = /已发 (\d+) · 已处理过 (\d+) · 失败 0/.exec((await page.locator('#job-result').textContent()) ?? '');
    expect(Number(counts?.[1]) + Number(counts?.[2])).toBe(4);
    expect(await page.locator('#job-result').textContent()).toContain('节假日表检查 · 截至 2026年12月1日 周二 09:30');
    await shot('job-run');

    await actAs('李明华');
    await openChat('清风 · 李明华');
    await cardMsg('缺少 2027 年节假日安排').waitFor(WAIT);
    expect(await cardMsg('缺少 2027 年节假日安排').locator('.card-header').getAttribute('class')).toContain(
      'tpl-orange',
    );
    await shot('job-reminder');
  });

  it('shows HTML in user text and card markdown as text, never running it', async () => {
    await actAs('刘洋');
    await openChat('第一党支部工作群');
    const payload = '<img src=x onerror="window.__xss=1">';
    await page.uncheck('#mention-bot');
    await page.fill('#input', payload);
    await page.press('#input', 'Enter');
    await page.locator('.msg .text', { hasText: payload }).waitFor(WAIT);
    await page.check('#mention-bot');

    const messageId = await postCardAsBot({
      schema: '2.0',
      config: { update_multi: true },
      header: { title: { tag: 'plain_text', content: '<b>标题</b>' }, template: 'blue' },
      body: {
        elements: [
          {
            tag: 'markdown',
            content:
              '<script>window.__xss=2</script><img src=x onerror="window.__xss=3"> &lt;b&gt; &#42;字面&#42; ' +
              '[官网](https://www.feishu.cn) [坏](javascript:window.__xss=4) <font color=red>**红**</font>',
          },
        ],
      },
    });
    const card = page.locator(`.msg[data-id="${messageId}"]`);
    await card.locator('.card-title', { hasText: '<b>标题</b>' }).waitFor(WAIT);
    const text = await card.locator('.md').textContent();
    expect(text).toContain('<script>window.__xss=2</script><img src=x onerror="window.__xss=3"> <b> *字面*');
    expect(await card.locator('a').count()).toBe(1);
    const link = card.locator('a');
    expect(await link.getAttribute('href')).toBe('https://www.feishu.cn/');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await card.locator('.fg-red strong').textContent()).toBe('红');
    await card.locator('a').hover();

    expect(await page.locator('#messages img, #messages script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    await shot('xss-as-text');
  });
});
