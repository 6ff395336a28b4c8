/** What card JSON 2.0 allows: the properties of the card, its parts and each component tag. */

/** Properties every 2.0 component takes. */
const COMMON = ['tag', 'element_id', 'margin'];
/** Layout properties 2.0 added to the containers (and to the body). */
const LAYOUT = ['direction', 'padding', 'horizontal_spacing', 'vertical_spacing', 'horizontal_align', 'vertical_align'];
/** What every interactive component takes. */
const INTERACTIVE = ['disabled', 'disabled_tips', 'hover_tips', 'confirm', 'behaviors', 'value'];
/** What form fields take. */
const FIELD = ['name', 'required', 'placeholder', 'width', 'type'];

export const COMPONENT_PROPS: Record<string, readonly string[]> = {
  // containers
  column_set: [
    ...COMMON,
    'columns',
    'flex_mode',
    'background_style',
    'horizontal_spacing',
    'horizontal_align',
    'action',
  ],
  form: [...COMMON, ...LAYOUT, 'name', 'elements'],
  interactive_container: [
    ...COMMON,
    ...LAYOUT,
    ...INTERACTIVE,
    'elements',
    'width',
    'height',
    'background_style',
    'has_border',
    'border_color',
    'corner_radius',
  ],
  collapsible_panel: [...COMMON, ...LAYOUT, 'expanded', 'header', 'border', 'background_color', 'elements'],
  // content
  div: [...COMMON, 'text', 'icon', 'fields', 'width'],
  markdown: [...COMMON, 'content', 'text_align', 'text_size', 'icon', 'i18n_content'],
  hr: [...COMMON],
  img: [
    ...COMMON,
    'img_key',
    'i18n_img_key',
    'alt',
    'title',
    'scale_type',
    'size',
    'transparent',
    'preview',
    'corner_radius',
    'compact_width',
    'custom_width',
  ],
  img_combination: [...COMMON, 'combination_mode', 'combination_transparent', 'corner_radius', 'img_list'],
  person: [...COMMON, 'user_id', 'size', 'show_avatar', 'show_name', 'style'],
  person_list: [...COMMON, 'persons', 'size', 'show_avatar', 'show_name', 'lines', 'icon', 'drop_invalid_user_id'],
  chart: [...COMMON, 'chart_spec', 'aspect_ratio', 'color_theme', 'preview', 'height'],
  table: [
    ...COMMON,
    'page_size',
    'row_height',
    'row_max_height',
    'freeze_first_column',
    'header_style',
    'columns',
    'rows',
  ],
  // interactive
  button: [
    ...COMMON,
    ...INTERACTIVE,
    'text',
    'type',
    'size',
    'width',
    'icon',
    'name',
    'form_action_type',
    // the legacy spelling of form_action_type (form_submit / form_reset), still accepted
    'action_type',
  ],
  input: [
    ...COMMON,
    ...INTERACTIVE,
    ...FIELD,
    'default_value',
    'max_length',
    'input_type',
    'show_icon',
    'rows',
    'auto_resize',
    'max_rows',
    'label',
    'label_position',
    'fallback',
  ],
  overflow: [...COMMON, ...INTERACTIVE, 'width', 'options'],
  select_static: [...COMMON, ...INTERACTIVE, ...FIELD, 'options', 'initial_option', 'initial_index'],
  multi_select_static: [...COMMON, ...INTERACTIVE, ...FIELD, 'options', 'selected_values'],
  select_person: [...COMMON, ...INTERACTIVE, ...FIELD, 'options', 'initial_option'],
  multi_select_person: [...COMMON, ...INTERACTIVE, ...FIELD, 'options', 'selected_values'],
  date_picker: [...COMMON, ...INTERACTIVE, ...FIELD, 'initial_date'],
  picker_time: [...COMMON, ...INTERACTIVE, ...FIELD, 'initial_time'],
  picker_datetime: [...COMMON, ...INTERACTIVE, ...FIELD, 'initial_datetime'],
  select_img: [...COMMON, ...INTERACTIVE, 'name', 'required', 'multi_select', 'layout', 'can_preview', 'options'],
  checker: [
    ...COMMON,
    ...INTERACTIVE,
    'name',
    'checked',
    'text',
    'overall_checkable',
    'button_area',
    'checked_style',
    'padding',
  ],
};

/** Tagged objects that are parts of components, not components: text objects, icons, tags, columns. */
export const PART_PROPS: Record<string, readonly string[]> = {
  plain_text: ['tag', 'content', 'i18n', 'i18n_content', 'text_size', 'text_color', 'text_align', 'lines'],
  lark_md: ['tag', 'content', 'i18n', 'i18n_content', 'text_size', 'text_color', 'text_align', 'lines'],
  // collapsible panel titles may be markdown text objects
  markdown: ['tag', 'content', 'i18n_content', 'text_size', 'text_color', 'text_align', 'lines'],
  standard_icon: ['tag', 'token', 'color', 'size'],
  custom_icon: ['tag', 'img_key', 'size'],
  text_tag: ['tag', 'element_id', 'text', 'color', 'i18n_text'],
  column: [...COMMON, ...LAYOUT, 'width', 'weight', 'background_style', 'elements', 'action'],
};

export const TOP_PROPS = ['schema', 'config', 'card_link', 'header', 'body'];
export const CONFIG_PROPS = [
  'update_multi',
  'streaming_mode',
  'streaming_config',
  'summary',
  'locales',
  'enable_forward',
  'enable_forward_interaction',
  'width_mode',
  'use_custom_translation',
  'style',
];
export const HEADER_PROPS = ['title', 'subtitle', 'text_tag_list', 'i18n_text_tag_list', 'template', 'icon', 'padding'];
export const BODY_PROPS = ['elements', ...LAYOUT];
export const PANEL_HEADER_PROPS = [
  'title',
  'background_color',
  'vertical_align',
  'padding',
  'position',
  'width',
  'icon',
  'icon_position',
  'icon_expanded_angle',
];
export const CONFIRM_PROPS = ['title', 'text'];
export const BEHAVIOR_PROPS: Record<string, readonly string[]> = {
  callback: ['type', 'value'],
  open_url: ['type', 'default_url', 'pc_url', 'ios_url', 'android_url'],
};
export const TABLE_COLUMN_PROPS = [
  'name',
  'display_name',
  'data_type',
  'width',
  'horizontal_align',
  'vertical_align',
  'format',
  'date_format',
];
export const TABLE_HEADER_STYLE_PROPS = ['text_align', 'text_size', 'background_style', 'text_color', 'bold', 'lines'];

/** Fields a form submits; each needs a card-unique `name` inside a form. */
export const FORM_FIELDS = new Set([
  'input',
  'select_static',
  'multi_select_static',
  'select_person',
  'multi_select_person',
  'date_picker',
  'picker_time',
  'picker_datetime',
  'checker',
  'select_img',
]);
export const CONTAINERS = new Set(['column_set', 'form', 'interactive_container', 'collapsible_panel']);
/** Removed in 2.0 (docs/feishu-platform.md §6): the note element and the 1.0 action module. */
export const REMOVED_TAGS = new Set(['note', 'action']);
