/**
 * The talk register's cards: the record form (sent privately), a talk as one viewer sees it (its
 * notes only for the recorder, the 书记 and the 纪检委员; 确认 only for a party who has not confirmed),
 * and the year's list (never with notes). Every card here is private. Pure: no I/O, no clock.
 */
import {
  buttonRow,
  card,
  datePicker,
  form,
  input,
  markdown,
  note,
  personPicker,
  plainText,
  selectStatic,
  table,
} from '../../cards/parts.ts';
import { clip, md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';
import { talkConfirm, talkRecord } from './contracts.ts';
import { NOTES_MAX, PLACE_MAX, type TalkKind } from './model.ts';
import { inviteText } from './rules.ts';

/** A label above a select or a picker (those have a placeholder only). */
const label = (text: string, hint?: string): CardElement =>
  markdown(`**${text}**${hint ? `<font color='grey'>（${hint}）</font>` : ''}`);

export interface TalkFormView {
  orgId: number;
  orgName: string;
  /** The org's members but the recorder (the picker offers the chat when they are many). */
  memberOpenIds: string[];
  /** The kinds this recorder may record, labelled. */
  kinds: { value: string; text: string }[];
  initialKind: string | undefined;
  /** YYYY-MM-DD: the date picker starts on today. */
  today: string;
}

export function buildTalkFormCard(v: TalkFormView): Card {
  const f = talkRecord.fields;
  return card({
    title: '记录谈话',
    subtitle: v.orgName,
    template: 'wathet',
    elements: [
      note('记录您本人参加的谈话。保存后，谈话对象会收到确认卡片；谈话要点仅您本人、书记和纪检委员可见。'),
      form('talk_record', [
        label('谈话对象', '可选多人，须为本组织成员'),
        personPicker({
          name: f.parties,
          placeholder: '选择谈话对象',
          openIds: v.memberOpenIds,
          multi: true,
          required: true,
        }),
        label('谈话类型'),
        selectStatic({
          name: f.kind,
          placeholder: '谈话类型',
          options: v.kinds,
          initial: v.initialKind,
          required: true,
        }),
        label('谈话日期', '不晚于今天'),
        datePicker({ name: f.date, placeholder: '谈话日期', initial: v.today, required: true }),
        input({
          name: f.place,
          label: '谈话地点',
          placeholder: '例如：党建活动室',
          required: true,
          maxLength: PLACE_MAX,
        }),
        input({
          name: f.notes,
          label: '谈话要点（可选，仅记录人、书记和纪检委员可见）',
          placeholder: '谈话的主要内容、对方的想法和意见、提出的要求',
          multiline: true,
          maxLength: NOTES_MAX,
        }),
        talkRecord.button({ text: '保存', type: 'primary', submit: { name: 'submit_talk' }, org: v.orgId }, {}),
      ]),
    ],
  });
}

export interface TalkPartyView {
  name: string;
  /** 12月1日 when confirmed; undefined while not. */
  confirmedText: string | undefined;
}

/** One talk as one viewer sees it. */
export interface TalkView {
  id: number;
  orgId: number;
  kindLabel: string;
  /** 2026年12月1日 */
  heldText: string;
  place: string;
  recorderName: string;
  parties: TalkPartyView[];
  /** 双方确认 or 待确认（n/m）. */
  confirmation: string;
  allConfirmed: boolean;
  withdrawn: boolean;
  /** The notes for a viewer who may read them (null: none were written); undefined for everyone else. */
  notes: string | null | undefined;
  heldOn: string;
  kind: TalkKind;
  /** The viewer is a party who has not confirmed: what they are asked, and the 确认 button. */
  mayConfirm: boolean;
}

/** Parties named on a card; a talk has at most PARTIES_MAX of them. */
const PARTIES_SHOWN = 20;

export function buildTalkCard(v: TalkView): Card {
  const parties = v.parties
    .slice(0, PARTIES_SHOWN)
    .map((p) => `${md(p.name, 50)}（${p.confirmedText ? `${p.confirmedText}已确认` : '待确认'}）`)
    .join('、');
  const notes: CardElement[] =
    v.notes === undefined
      ? [note('谈话要点仅记录人、书记和纪检委员可见。')]
      : v.notes === null
        ? [note('未填写谈话要点。')]
        : [markdown('**谈话要点**（仅记录人、书记和纪检委员可见）'), plainText(v.notes, { max: NOTES_MAX })];
  const ask = v.mayConfirm && !v.withdrawn;
  const status = v.withdrawn ? '已撤销（不计入谈话情况）' : v.confirmation;
  return card({
    title: `谈话记录 #${v.id} · ${v.kindLabel}`,
    subtitle: v.heldText,
    template: v.withdrawn ? 'grey' : v.allConfirmed ? 'green' : 'wathet',
    tags: [
      {
        text: v.withdrawn ? '已撤销' : v.allConfirmed ? '双方确认' : '待确认',
        color: v.withdrawn ? 'neutral' : v.allConfirmed ? 'green' : 'orange',
      },
    ],
    elements: [
      ...(ask
        ? [
            markdown(
              inviteText({
                recorder: md(v.recorderName, 50),
                heldOn: v.heldOn,
                kind: v.kind,
                place: md(v.place, PLACE_MAX),
              }),
            ),
          ]
        : []),
      markdown(
        [
          `**类型**：${md(v.kindLabel)}`,
          `**日期**：${v.heldText}`,
          `**地点**：${md(v.place, PLACE_MAX)}`,
          `**谈话人**：${md(v.recorderName, 50)}`,
          `**谈话对象**：${parties}`,
          `**确认情况**：${status}`,
        ].join('\n'),
      ),
      ...notes,
      ...(ask ? [buttonRow([talkConfirm.button({ text: '确认', type: 'primary', org: v.orgId }, { id: v.id })])] : []),
    ],
  });
}

export interface TalkListRow {
  id: number;
  date: string;
  kindLabel: string;
  recorderName: string;
  partyNames: string;
  /** 双方确认, 待确认（n/m） or 已撤销. */
  state: string;
}

export function buildTalkListCard(v: {
  title: string;
  /** 本组织全部谈话 / 您参加的谈话. */
  scope: string;
  rows: TalkListRow[];
  /** Every talk of the year in this scope (rows holds at most LIST_MAX, newest first). */
  total: number;
  counts: { confirmed: number; pending: number; withdrawn: number };
  exportHint: boolean;
}): Card {
  const cell = (s: string, n: number) => clip(s, n);
  const more = v.total > v.rows.length ? `卡片显示最近 ${v.rows.length} 条。` : '';
  return card({
    title: v.title,
    subtitle: `${v.scope}，共 ${v.total} 条`,
    template: 'wathet',
    elements: [
      markdown(
        `双方确认 **${v.counts.confirmed}** · 待确认 **${v.counts.pending}** · 已撤销 **${v.counts.withdrawn}**`,
      ),
      ...(v.rows.length === 0
        ? [markdown('本年度还没有谈话记录。记录一次谈话：/谈话 记录')]
        : [
            table({
              columns: [
                { name: 'id', title: '编号' },
                { name: 'date', title: '日期' },
                { name: 'kind', title: '类型' },
                { name: 'recorder', title: '谈话人' },
                { name: 'parties', title: '对象' },
                { name: 'state', title: '确认情况' },
              ],
              rows: v.rows.map((r) => ({
                id: `#${r.id}`,
                date: r.date,
                kind: r.kindLabel,
                recorder: cell(r.recorderName, 20),
                parties: cell(r.partyNames, 40),
                state: r.state,
              })),
            }),
          ]),
      note(
        `${more}查看一次谈话：/谈话 查看 编号${v.exportHint ? '；导出台账：/谈话 导出' : ''}。谈话要点不在列表中显示。`,
      ),
    ],
  });
}
