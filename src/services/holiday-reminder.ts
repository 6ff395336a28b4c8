/** 节前廉政提醒: the group card from the org's editable template, and a task for the inspector. */

export const DEFAULT_HOLIDAY_TEMPLATE =
  '{节日}将至，请全体党员干部严格遵守中央八项规定及其实施细则精神，严禁违规收送礼品礼金、违规吃喝、公车私用、违规操办婚丧喜庆事宜，自觉抵制享乐主义和奢靡之风，过一个风清气正的节日。';
