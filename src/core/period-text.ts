/** How a period key (`2026Q4`, `2026H2`, `2026-12`, `2026`) reads in a card, a message or a history line. Pure; in core so rules and cards share it. */
/** "2026-12", "2026年第四季度" … a period as people say it. */
export function periodText(p: { key: string }): string {
  const q = /^(\d{4})Q([1-4])$/.exec(p.key);
  if (q) return `${q[1]}年第${'一二三四'[Number(q[2]) - 1]}季度`;
  const h = /^(\d{4})H([12])$/.exec(p.key);
  if (h) return `${h[1]}年${h[2] === '1' ? '上' : '下'}半年`;
  const m = /^(\d{4})-(\d{2})$/.exec(p.key);
  if (m) return `${m[1]}年${Number(m[2])}月`;
  return /^\d{4}$/.test(p.key) ? `${p.key}年` : '本期';
}
