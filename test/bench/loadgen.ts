/**
 * The load generator of the ingest benchmark, in its own process (forked by ingest.ts) so it does not
 * share the server's event loop. It reads a pool of plain event envelopes, encrypts each once (as
 * Feishu does), and POSTs them signed with a fresh timestamp and nonce per request (a duplicate is
 * the same encrypted body sent again with a new signature, as Feishu redelivers).
 *
 * closed: `concurrency` requests in flight until `durationMs` has passed (throughput at saturation).
 * open:   request i is scheduled at start + i / rate; latency is measured from the scheduled time, so a
 *         slow server cannot slow the generator down and hide its queueing (no coordinated omission).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { computeSignature, encryptPayload } from '../../src/feishu/crypto.ts';

interface Item {
  path: string;
  body: Buffer;
}

type Command =
  | { cmd: 'load'; name: string; file: string; key: string }
  | { cmd: 'closed'; url: string; pool: string; concurrency: number; durationMs: number; cycle?: boolean }
  | { cmd: 'open'; url: string; pool: string; rate: number; durationMs: number; cycle?: boolean }
  | { cmd: 'exit' };

export interface RunReport {
  sent: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  latencies: number[];
  /** Open loop: how late the generator itself sent (its own lag), p99. */
  sendLagP99?: number;
}

const pools = new Map<string, { items: Item[]; key: string }>();

/**
 * One keep-alive connection speaking just enough HTTP/1.1: the request bytes are written straight to
 * the socket and the answer is read by its Content-Length. node:http's client costs several times the
 * CPU of the servers under test, and the generator must not be the bottleneck on two cores.
 */
class Conn {
  private socket: Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: ((status: number) => void) | undefined;
  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private connect(): Socket {
    const s = connect({ host: this.host, port: this.port, noDelay: true });
    s.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.parse();
    });
    const fail = () => {
      this.socket = undefined;
      this.buf = Buffer.alloc(0);
      const w = this.waiting;
      this.waiting = undefined;
      w?.(0);
    };
    s.on('error', fail);
    s.on('close', fail);
    this.socket = s;
    return s;
  }

  private parse(): void {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    const len = m ? Number(m[1]) : 0;
    if (this.buf.length < end + 4 + len) return;
    this.buf = this.buf.subarray(end + 4 + len);
    if (/\r\nconnection: *close/i.test(head)) this.socket?.destroy();
    const w = this.waiting;
    this.waiting = undefined;
    w?.(status);
  }

  send(item: Item, key: string): Promise<number> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    const head =
      `POST ${item.path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nConnection: keep-alive\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${item.body.length}\r\n` +
      `X-Lark-Request-Timestamp: ${timestamp}\r\nX-Lark-Request-Nonce: ${nonce}\r\n` +
      `X-Lark-Signature: ${computeSignature(timestamp, nonce, key, item.body)}\r\n\r\n`;
    return new Promise((resolve) => {
      this.waiting = resolve;
      const s = this.socket ?? this.connect();
      s.write(Buffer.concat([Buffer.from(head, 'latin1'), item.body]));
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}

/** A pool of connections; a request waits for a free one. */
class Conns {
  private readonly free: Conn[] = [];
  private readonly all: Conn[] = [];
  private readonly queue: ((c: Conn) => void)[] = [];
  constructor(url: URL, max: number) {
    for (let i = 0; i < max; i++) {
      const c = new Conn(url.hostname, Number(url.port));
      this.all.push(c);
      this.free.push(c);
    }
  }
  async post(item: Item, key: string): Promise<number> {
    const c = this.free.pop() ?? (await new Promise<Conn>((r) => this.queue.push(r)));
    try {
      return await c.send(item, key);
    } finally {
      const next = this.queue.shift();
      if (next) next(c);
      else this.free.push(c);
    }
  }
  close(): void {
    for (const c of this.all) c.close();
  }
}

async function closed(c: Extract<Command, { cmd: 'closed' }>): Promise<RunReport> {
  const pool = pools.get(c.pool);
  if (!pool) throw new Error(`no pool ${c.pool}`);
  const conns = new Conns(new URL(c.url), c.concurrency);
  const report: RunReport = { sent: 0, ok: 0, failed: 0, statuses: {}, elapsedMs: 0, latencies: [] };
  const t0 = performance.now();
  const end = t0 + c.durationMs;
  let next = 0;
  const worker = async () => {
    while (performance.now() < end) {
      if (next >= pool.items.length) {
        if (!c.cycle) return;
        next = 0;
      }
      const item = pool.items[next++] as Item;
      const s = performance.now();
      report.sent++;
      const status = await conns.post(item, pool.key);
      report.latencies.push(performance.now() - s);
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      if (status === 200) report.ok++;
      else report.failed++;
    }
  };
  await Promise.all(Array.from({ length: c.concurrency }, worker));
  report.elapsedMs = performance.now() - t0;
  conns.close();
  return report;
}

async function open(c: Extract<Command, { cmd: 'open' }>): Promise<RunReport> {
  const pool = pools.get(c.pool);
  if (!pool) throw new Error(`no pool ${c.pool}`);
  const conns = new Conns(new URL(c.url), 256);
  const total = Math.floor((c.rate * c.durationMs) / 1000);
  const report: RunReport = { sent: 0, ok: 0, failed: 0, statuses: {}, elapsedMs: 0, latencies: [] };
  const lags: number[] = [];
  const interval = 1000 / c.rate;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now() + 20;
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && t0 + i * interval <= now) {
        const scheduled = t0 + i * interval;
        const item = pool.items[c.cycle ? i % pool.items.length : i];
        i++;
        if (!item) continue;
        lags.push(now - scheduled);
        report.sent++;
        inflight.push(
          conns.post(item, pool.key).then((status) => {
            report.latencies.push(performance.now() - scheduled);
            report.statuses[status] = (report.statuses[status] ?? 0) + 1;
            if (status === 200) report.ok++;
            else report.failed++;
          }),
        );
      }
      if (i >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(1, t0 + i * interval - performance.now())));
    };
    setTimeout(tick, 20);
  });
  await Promise.all(inflight);
  report.elapsedMs = performance.now() - t0;
  lags.sort((a, b) => a - b);
  report.sendLagP99 = lags[Math.floor(lags.length * 0.99)] ?? 0;
  conns.close();
  return report;
}

process.on('message', (m: Command) => {
  const answer = async (): Promise<unknown> => {
    switch (m.cmd) {
      case 'load': {
        const items = readFileSync(m.file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { path: string; plain?: string; dupOf?: number });
        const out: Item[] = [];
        for (const it of items) {
          if (it.dupOf !== undefined) out.push(out[it.dupOf] as Item);
          else
            out.push({
              path: it.path,
              body: Buffer.from(JSON.stringify({ encrypt: encryptPayload(m.key, it.plain ?? '') })),
            });
        }
        pools.set(m.name, { items: out, key: m.key });
        return { loaded: out.length };
      }
      case 'closed':
        return closed(m);
      case 'open':
        return open(m);
      case 'exit':
        process.exit(0);
    }
  };
  answer().then(
    (r) => process.send?.({ ok: true, result: r }),
    (err) => process.send?.({ ok: false, error: String(err) }),
  );
});
