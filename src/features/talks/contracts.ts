/** The card actions of /谈话: the record form's 保存, and a party's 确认 on their card. */
import { z } from 'zod';
import { cardAction, formList, formText } from '../../cards/contract.ts';

/** 保存 on the record form: the other parties, the kind, the date, the place and the notes. */
export const talkRecord = cardAction('talk.record', {
  form: {
    parties: formList({ single: true }),
    kind: formText(),
    date: formText(),
    place: formText(),
    notes: formText(),
  },
});

/** 确认 on a party's card: only that party, once. */
export const talkConfirm = cardAction('talk.confirm', {
  value: { id: z.coerce.number().int().positive() },
});
