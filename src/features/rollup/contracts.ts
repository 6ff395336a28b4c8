/** The buttons of the roll-up card (/总览 and the weekly card): 查看 one 支部, 督办 one 支部. */
import { z } from 'zod';
import { cardAction } from '../../cards/contract.ts';

/** `b`: the lower org looked into; the button's org (`o`) is the upper org whose card it is. */
const branch = { b: z.coerce.number().int().positive() };

/** 查看: that 支部's lists, privately to the clicker. */
export const overviewView = cardAction('overview.view', { value: branch });

/** 督办: that 支部's 书记 gets the lists privately with a 加急, once per 支部 per day. */
export const overviewPress = cardAction('overview.press', { value: branch });
