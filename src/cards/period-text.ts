/** How a period key reads on a card: written once in src/core/period-text.ts, where the pure rules use it too. */
export { periodText } from '../core/period-text.ts';
