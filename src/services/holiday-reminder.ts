/** 节前廉政提醒: the group card from the org's editable template, and a task for the inspector. */
import { card, markdown, plainText } from '../cards/parts.ts';
import type { Card } from '../core/card.ts';

export const DEFAULT_HOLIDAY_TEMPLATE =
  '{节日}将至，请全体党员干部严格遵守中央八项规定及其实施细则精神，严禁违规收送礼品礼金、违规吃喝、公车私用、违规操办婚丧喜庆事宜，自觉抵制享乐主义和奢靡之风，过一个风清气正的节日。';

export function holidayReminderCard(template: string, holiday: string, start: string, end: string): Card {
  return card({
    title: `节前廉政提醒 · ${holiday}`,
    subtitle: `${start}${end !== start ? ` 至 ${end}` : ''} 放假`,
    template: 'red',
    elements: [
      plainText(template.replaceAll('{节日}', holiday)),
      markdown("<font color='grey'>发现问题线索请及时向纪检委员反映。</font>", { size: 'notation' }),
    ],
  });
}
