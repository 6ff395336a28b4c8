/**
 * The naive bot of the ingest benchmark: what a user would write on the Feishu SDK's own webhook
 * adapter. The SDK's EventDispatcher (`/webhook/event`) and CardActionHandler (`/webhook/card`), each
 * behind the SDK's node:http adapter (`adaptDefault`), verify the signature and decrypt; their
 * handlers do one better-sqlite3 INSERT of the decrypted event (WAL, synchronous=NORMAL, as the
 * baseline in ingest.ts) and nothing else — no dedup, no audit, no outbox, no reply, and a card
 * callback is answered with `{}`, not with a new card.
 *
 * The adapter answers 200 whatever happens: a request whose signature does not match is answered with
 * an empty body and never reaches a handler. So the server counts the rows it stored and what the SDK
 * complained about (its logger's warnings and errors), for the benchmark to check that every request
 * answered was stored.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sdk } from '../../src/feishu/sdk.ts';
import { ENCRYPT_KEY, VERIFICATION_TOKEN } from './lib.ts';

export interface NaiveServer {
  url: string;
  /** Events inserted; the SDK's warnings and errors (refused signature, undecryptable body, unknown event). */
  counts(): { stored: number; complaints: number };
  close(): Promise<void>;
}

export function startNaive(dir: string): Promise<NaiveServer> {
  const db = new SQLite(join(dir, 'naive.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO events (received_at, body) VALUES (?, ?)');
  let stored = 0;
  let complaints = 0;
  const store = (event: unknown) => {
    insert.run(new Date().toISOString(), JSON.stringify(event));
    stored++;
  };
  const complain = () => {
    complaints++;
  };
  const quiet = () => {};
  const params = {
    encryptKey: ENCRYPT_KEY,
    verificationToken: VERIFICATION_TOKEN,
    logger: { error: complain, warn: complain, info: quiet, debug: quiet, trace: quiet },
    loggerLevel: sdk.LoggerLevel.warn,
  };
  const events = new sdk.EventDispatcher(params).register({
    'im.message.receive_v1': async (event) => store(event),
  });
  const cards = new sdk.CardActionHandler(params, async (event: unknown) => {
    store(event);
    return {};
  });
  // adaptDefault ignores a request for another path (it neither answers nor consumes it), so one
  // server takes one listener per path.
  const server: Server = createServer();
  server.on('request', sdk.adaptDefault('/webhook/event', events));
  server.on('request', sdk.adaptDefault('/webhook/card', cards));
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        counts: () => ({ stored, complaints }),
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
            db.close();
          }),
      }),
    );
  });
}
