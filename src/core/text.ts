/** Plain string helpers shared by the rules (`domain/`) and the card builders (`cards/`). */

/**
 * Cuts stored user text to at most `max` characters without an ellipsis. Counts code points, so
 * an emoji or a rare CJK character is never split into half a surrogate pair.
 */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const chars = Array.from(s);
  return chars.length > max ? chars.slice(0, max).join('') : s;
}
