/** Feishu card JSON 2.0 (docs/feishu-platform.md §6). Builders in `src/cards/` produce these; nothing else does. */
export interface CardElement {
  tag: string;
  [key: string]: unknown;
}

export type HeaderTemplate =
  | 'blue'
  | 'wathet'
  | 'turquoise'
  | 'green'
  | 'yellow'
  | 'orange'
  | 'red'
  | 'carmine'
  | 'violet'
  | 'purple'
  | 'indigo'
  | 'grey'
  | 'default';

export interface Card {
  schema: '2.0';
  config: { update_multi: true; summary?: { content: string }; width_mode?: 'compact' | 'fill' };
  header?: {
    title: { tag: 'plain_text'; content: string };
    subtitle?: { tag: 'plain_text'; content: string };
    template?: HeaderTemplate;
    text_tag_list?: { tag: 'text_tag'; text: { tag: 'plain_text'; content: string }; color: string }[];
  };
  body: { elements: CardElement[] };
}

export interface Toast {
  type: 'info' | 'success' | 'error' | 'warning';
  content: string;
}

/** What a card action answers within Feishu's 3 s window: a toast and, when the card changes, the new card. */
export interface ActionAnswer {
  toast?: Toast;
  /** The clicked card's new shared content (everyone who received the card sees it). */
  card?: Card;
  /**
   * A view or form for the clicker alone. In a private chat it replaces the clicked card; in a group
   * it is sent to the clicker's private chat with the bot and the group card stays as it was.
   */
  personal?: Card;
}
