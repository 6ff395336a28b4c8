/**
 * The members register card (/党员): the counts (正式党员 · 预备党员 · 支委 · 党小组), then one table row
 * per member — 姓名, 类别, 支委职务, 党小组 (组长 marked), 入党 and 转正 dates, 职务, 不计应到 — 50 members a
 * card page (a table shows 10 a page; 50 rows of the longest texts stay well within 30 KB), with
 * 上一页 / 下一页. Pure: no I/O, no clock.
 */

import { cardAction, pageValue } from '../../cards/contract.ts';
import { buttonRow, card, markdown, note, table } from '../../cards/parts.ts';
import { clip, md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';
import type { RegisterCounts, RegisterRow } from './register-rules.ts';

export type { RegisterCounts, RegisterRow };

/** 上一页 / 下一页 on the register card. */
export const registerPage = cardAction('register.page', { value: pageValue });

/** Members on one card page (the table pages them 10 at a time). */
export const REGISTER_PAGE_ROWS = 50;
/** 党小组 named in the counts; the rest are counted. */
const GROUPS_NAMED = 8;
/** Longest text of a table cell (names, 党小组, 职务, reasons), so that a page stays small. */
const CELL_MAX = 20;

export interface RegisterView {
  orgId: number;
  orgName: string;
  counts: RegisterCounts;
  /** This page's rows, in register order. */
  rows: readonly RegisterRow[];
  page: number;
  pages: number;
  total: number;
}

/** "正式党员 8 · 预备党员 2 · 支委 5 · 党小组 2（第一党小组 5 人，组长 张三；…）" */
export function countsLine(c: RegisterCounts): string {
  const groups = c.groups
    .slice(0, GROUPS_NAMED)
    .map((g) => `${md(g.name, CELL_MAX)} ${g.size} 人${g.leader ? `，组长 ${md(g.leader, CELL_MAX)}` : '，未设组长'}`);
  const more = c.groups.length > GROUPS_NAMED ? `；等 ${c.groups.length} 个` : '';
  return [
    `正式党员 **${c.full}**`,
    `预备党员 **${c.probationary}**`,
    `支委 **${c.committee}**`,
    `党小组 **${c.groups.length}**${groups.length > 0 ? `（${groups.join('；')}${more}）` : ''}`,
    ...(c.exempt > 0 ? [`不计应到 **${c.exempt}**`] : []),
  ].join(' · ');
}

export function buildRegisterCard(v: RegisterView): Card {
  const nav: CardElement[] = [];
  const go = (text: string, p: number) => registerPage.button({ text, org: v.orgId }, { f: 'all', p });
  if (v.page > 1) nav.push(go('上一页', v.page - 1));
  if (v.page < v.pages) nav.push(go('下一页', v.page + 1));
  const cell = (s: string) => clip(s, CELL_MAX);
  return card({
    title: `党员名册 · ${v.orgName}`,
    subtitle: `共 ${v.total} 人${v.pages > 1 ? `，第 ${v.page}/${v.pages} 页` : ''}`,
    template: 'red',
    elements: [
      markdown(countsLine(v.counts)),
      ...(v.rows.length === 0
        ? [markdown('名册中还没有党员。成员入群即登记为正式党员，再用 /党员 @某人 … 修改。')]
        : [
            table({
              columns: [
                { name: 'name', title: '姓名' },
                { name: 'category', title: '类别' },
                { name: 'committee', title: '支委职务' },
                { name: 'group', title: '党小组' },
                { name: 'joined', title: '入党日期' },
                { name: 'confirmed', title: '转正日期' },
                { name: 'post', title: '职务' },
                { name: 'exempt', title: '不计应到' },
              ],
              rows: v.rows.map((r) => ({
                name: cell(r.name),
                category: r.category,
                committee: r.committee,
                group: cell(r.group),
                joined: r.joined,
                confirmed: r.confirmed,
                post: cell(r.post),
                exempt: cell(r.exempt),
              })),
            }),
          ]),
      note(
        '预备党员参加党员大会但没有表决权；不计应到的党员不计入党员大会的应到人数。修改：/党员 @某人 预备党员、支委 组织委员、党小组 第一党小组 组长、入党 2020-07-01 等；也可把名册表格（姓名、类别、党小组、支委职务…）私信发给清风导入。',
      ),
      ...(nav.length > 0 ? [buttonRow(nav)] : []),
    ],
  });
}
