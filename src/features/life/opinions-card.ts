/**
 * 征求意见 (issue 16 item 3): the group card asking for opinions, the private form (署名 or 匿名: two
 * submit buttons, so the anonymous one is an action that is audited without its actor), its answer,
 * and the admins' list. Pure: no I/O, no clock.
 */
import { z } from 'zod';
import { cardAction, formText } from '../../cards/contract.ts';
import { buttonRow, card, form, input, markdown, note, plainText } from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';

export const OPINION_MAX = 1000;
/** Opinions on the list card (the newest first): each up to 1000 characters, so the card stays under 30 KB. */
export const OPINIONS_SHOWN = 8;

const pipeline = { p: z.coerce.number().int().positive() };
/** 提出意见 on the group card: sends the clicker the form privately. */
export const lifeOpinionAsk = cardAction('life.opinion-ask', { value: pipeline });
/** 署名提交: the opinion is stored with its author. */
export const lifeOpinionSigned = cardAction('life.opinion-signed', { value: pipeline, form: { text: formText() } });
/** 匿名提交: stored without any author, and the click is audited as `anonymous`. */
export const lifeOpinionAnonymous = cardAction('life.opinion-anonymous', {
  value: pipeline,
  form: { text: formText() },
});

export interface OpinionsAskView {
  orgId: number;
  orgName: string;
  pipelineId: number;
  year: number;
  /** 组织生活会 (a 支部) or 民主生活会 (an upper level); 组织生活会 when not given. */
  word?: string;
}

/** The group card: the same for everyone; a click answers privately. */
export function buildOpinionsAskCard(v: OpinionsAskView): Card {
  return card({
    title: `${v.year}年度${v.word ?? '组织生活会'} · 征求意见`,
    subtitle: v.orgName,
    template: 'blue',
    elements: [
      markdown('请对支部班子和支委提出意见建议。'),
      note('点击“提出意见”后，清风会私信发送意见表。可署名或匿名提交；匿名提交时不记录提交人。'),
      buttonRow([lifeOpinionAsk.button({ text: '提出意见', type: 'primary', org: v.orgId }, { p: v.pipelineId })]),
    ],
  });
}

export function buildOpinionFormCard(v: { orgId: number; orgName: string; pipelineId: number }): Card {
  const value = { p: v.pipelineId };
  return card({
    title: '对支部班子和支委的意见建议',
    subtitle: v.orgName,
    template: 'wathet',
    elements: [
      note('匿名提交时，清风不记录提交人，也不记录提交时间（只记日期）。'),
      form('life_opinion', [
        input({
          name: lifeOpinionSigned.fields.text,
          label: '意见建议',
          placeholder: '请写明意见建议，不超过 1000 字',
          multiline: true,
          required: true,
          maxLength: OPINION_MAX,
        }),
        buttonRow([
          lifeOpinionSigned.button(
            { text: '署名提交', type: 'primary', submit: { name: 'submit_signed' }, org: v.orgId },
            value,
          ),
          lifeOpinionAnonymous.button(
            { text: '匿名提交', type: 'default', submit: { name: 'submit_anonymous' }, org: v.orgId },
            value,
          ),
        ]),
      ]),
    ],
  });
}

/** What the form becomes once submitted: no echo of the text, nor of who wrote it. */
export function buildOpinionDoneCard(anonymous: boolean): Card {
  return card({
    title: '意见已提交',
    template: 'green',
    elements: [markdown(anonymous ? '您的意见已匿名提交，未记录提交人。谢谢！' : '您的意见已署名提交。谢谢！')],
  });
}

export interface OpinionRow {
  /** Null for an anonymous opinion. */
  author: string | null;
  text: string;
  /** 2026年12月1日 */
  onText: string;
}

/** The admins' and 支委's list (sent privately): the newest OPINIONS_SHOWN, each whole. */
export function buildOpinionListCard(v: {
  orgName: string;
  year: number;
  word?: string;
  opinions: OpinionRow[];
}): Card {
  const shown = v.opinions.slice(0, OPINIONS_SHOWN);
  const rows: CardElement[] = shown.flatMap((o, i) => [
    markdown(`**${i + 1}. ${o.author === null ? '匿名' : md(o.author, 50)}**　<font color='grey'>${o.onText}</font>`),
    plainText(o.text, { max: OPINION_MAX }),
  ]);
  const more = v.opinions.length - shown.length;
  return card({
    title: `${v.year}年度${v.word ?? '组织生活会'} · 征求到的意见`,
    subtitle: v.orgName,
    template: 'blue',
    elements: [
      markdown(`共 ${v.opinions.length} 条意见。`),
      ...(rows.length ? rows : [note('尚未收到意见。')]),
      ...(more > 0 ? [note(`另有 ${more} 条较早的意见未显示。`)] : []),
    ],
  });
}
