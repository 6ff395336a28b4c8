/**
 * One outbox row at Feishu's edge: the message it refers to, the API call that sends it, the lane
 * it waits in (one chat or message at a time, in order) and the rate limits it counts against.
 */
import type { Kysely } from 'kysely';
import { findOutbox, findOutboxFile, setOutboxFileKey } from '../db/repositories/outbox.ts';
import type { Database, OutboxRow } from '../db/schema.ts';
import type { FeishuClient, SentMessage } from './client.ts';
import { FeishuCodeError } from './errors.ts';
import { FEISHU_LIMITS, type Limit } from './limiter.ts';

export type FeishuSender = Pick<FeishuClient, 'send' | 'reply' | 'patch' | 'urgent' | 'uploadFile' | 'invalidateToken'>;

/** The Feishu message a row goes to: known, not yet known (`wait`), or never to be (`gone`). */
export async function resolveTarget(db: Kysely<Database>, row: OutboxRow): Promise<string | 'wait' | 'gone'> {
  if (row.target_id) return row.target_id;
  if (row.ref_outbox_id === null) return 'gone';
  const ref = await findOutbox(db, row.ref_outbox_id);
  if (!ref || ref.status === 'dead' || ref.status === 'superseded') return 'gone';
  if (ref.status !== 'sent' || !ref.message_id) return 'wait';
  return ref.message_id;
}

/** Uploads the row's file once (the key is kept for retries), then sends it as a file message. */
async function sendFile(db: Kysely<Database>, api: FeishuSender, row: OutboxRow, target: string): Promise<SentMessage> {
  const file = await findOutboxFile(db, row.id);
  if (!file) throw new FeishuCodeError(-2, 'the file of this outbox row is missing');
  let key = file.file_key;
  if (!key) {
    key = await api.uploadFile(file.file_type, file.file_name, Buffer.from(file.bytes));
    await setOutboxFileKey(db, row.id, key);
  }
  const type = row.target_type === 'open_id' ? 'open_id' : 'chat_id';
  return api.send(type, target, 'file', JSON.stringify({ file_key: key }), row.uuid);
}

/** Sends one row through the API (a file: uploaded once, then sent). */
export function callFeishu(
  db: Kysely<Database>,
  api: FeishuSender,
  row: OutboxRow,
  target: string,
): Promise<SentMessage> {
  const p = JSON.parse(row.payload) as { content?: string; user_id_list?: string[] };
  switch (row.kind) {
    case 'file':
      return sendFile(db, api, row, target);
    case 'send':
      return api.send(
        row.target_type === 'open_id' ? 'open_id' : 'chat_id',
        target,
        row.msg_type ?? 'text',
        p.content ?? '',
        row.uuid,
      );
    case 'reply':
      return api.reply(target, row.msg_type ?? 'text', p.content ?? '', row.uuid);
    case 'patch':
      return api.patch(target, p.content ?? '');
    case 'urgent_app':
    case 'urgent_sms':
    case 'urgent_phone':
      return api.urgent(row.kind.slice('urgent_'.length) as 'app' | 'sms' | 'phone', target, p.user_id_list ?? []);
    default:
      return Promise.reject(new Error(`unknown outbox kind ${row.kind}`));
  }
}

export function laneOf(row: OutboxRow): string {
  if (row.kind === 'send' || row.kind === 'file') return `${row.target_type}:${row.target_id}`;
  if (row.kind === 'reply') {
    const chat = (JSON.parse(row.payload) as { chat_id?: string }).chat_id;
    return chat ? `chat_id:${chat}` : `message:${row.target_id}`;
  }
  return row.target_id ? `message:${row.target_id}` : `ref:${row.ref_outbox_id}`;
}

export function limitsFor(row: OutboxRow, target: string): { key: string; limit: Limit }[] {
  const checks: { key: string; limit: Limit }[] = [
    { key: 'app', limit: FEISHU_LIMITS.appPerSecond },
    { key: 'app:min', limit: FEISHU_LIMITS.appPerMinute },
  ];
  if (row.kind === 'send' || row.kind === 'file') {
    checks.push(
      row.target_type === 'open_id'
        ? { key: `user:${target}`, limit: FEISHU_LIMITS.perUser }
        : { key: `chat:${target}`, limit: FEISHU_LIMITS.perChat },
    );
  } else if (row.kind === 'reply') {
    const chat = (JSON.parse(row.payload) as { chat_id?: string }).chat_id;
    if (chat) checks.push({ key: `chat:${chat}`, limit: FEISHU_LIMITS.perChat });
  } else if (row.kind === 'patch') {
    checks.push({ key: `msg:${target}`, limit: FEISHU_LIMITS.perMessage });
  }
  return checks;
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
