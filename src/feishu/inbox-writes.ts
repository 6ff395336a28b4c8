/**
 * Group commit for the inbox's insert, the one durable write before an ack: events that arrive while a
 * write is under way wait for it to end and then go into the next one together — one statement (one
 * transaction, one flush to disk) for up to `maxRows` of them. An event alone is written at once; under
 * load the writes grow instead of queueing one by one, so the ack's cost is shared by everyone waiting.
 * A write that fails fails for every event in it: none is acknowledged, and Feishu sends them again.
 */
import type { Kysely } from 'kysely';
import { addManyToInbox, type NewInboxRow } from '../db/repositories/inbox.ts';
import type { Database } from '../db/schema.ts';

interface Waiting {
  row: NewInboxRow;
  resolve: (added: boolean) => void;
  reject: (err: unknown) => void;
}

export class InboxWrites {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxRows = 200,
  ) {}

  /** Resolves once the row is durable: true when added, false when its key was already there. */
  add(row: NewInboxRow): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      if (!this.writing) void this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxRows);
        let added: Set<string>;
        try {
          added = await addManyToInbox(
            this.db,
            batch.map((w) => w.row),
          );
        } catch (err) {
          for (const w of batch) w.reject(err);
          continue;
        }
        // A key twice in one write (a redelivery on the heels of the first): the first is the one added.
        const seen = new Set<string>();
        for (const w of batch) {
          w.resolve(added.has(w.row.key) && !seen.has(w.row.key));
          seen.add(w.row.key);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
