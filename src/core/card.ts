/** Feishu card JSON 2.0 (FEISHU.md §6). Builders in `src/cards/` produce these; nothing else does. */
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
  card?: Card;
}
