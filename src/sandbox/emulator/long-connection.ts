/**
 * The long-connection side of the emulator (docs/feishu-platform.md §2): the endpoint the SDK asks for a WebSocket
 * URL, the WebSocket server, pings and pongs, and events pushed as (fragmented) frames, each waiting
 * for the client's ack. Several connected clients share events round robin (cluster mode).
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeFrame, encodeFrame, type Frame, headerOf } from '../frame.ts';
import { newId } from '../store.ts';
import type { Ack, Core } from './types.ts';

interface Conn {
  ws: WebSocket;
  serviceId: number;
  deviceId: string;
}

interface Pending {
  resolve: (ack: { code: number; data?: string }) => void;
}

export class LongConnection {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns: Conn[] = [];
  private rr = 0;
  private readonly pending = new Map<string, Pending>();
  private seq = 1;
  private pongs = true;
  private acceptConnections = true;

  constructor(
    private readonly core: Core,
    /** The port the emulator listens on (known once it started). */
    private readonly port: () => number,
  ) {}

  get connectionCount(): number {
    return this.conns.filter((c) => c.ws.readyState === WebSocket.OPEN).length;
  }

  /** The HTTP server's `upgrade`: only `/ws…`, and only while connections are accepted. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!(req.url ?? '').startsWith('/ws') || !this.acceptConnections) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req.url ?? ''));
  }

  /** The answer to `POST /callback/ws/endpoint`: the WebSocket URL and client config, or 514. */
  endpoint(body: Buffer): Record<string, unknown> {
    let b: { AppID?: string; AppSecret?: string } = {};
    try {
      b = JSON.parse(body.toString('utf8'));
    } catch {
      /* answered below */
    }
    if (b.AppID !== this.core.o.appId || b.AppSecret !== this.core.o.appSecret) {
      return { code: 514, msg: 'auth failed', data: {} };
    }
    const host = this.core.o.host ?? '127.0.0.1';
    // feishu: the SDK parses the whole URL with querystring, so a dummy first parameter (docs/feishu-platform.md §2.2)
    const url = `ws://${host}:${this.port()}/ws?x=0&device_id=${newId('d', 6)}&service_id=1`;
    return { code: 0, msg: 'ok', data: { URL: url, ClientConfig: this.clientConfig() } };
  }

  /** Stops answering pings (a half-open connection). */
  setPongs(on: boolean): void {
    this.pongs = on;
  }

  /** Refuses (or accepts again) new long connections. */
  setAcceptConnections(on: boolean): void {
    this.acceptConnections = on;
  }

  /** Drops every long connection, as the server side of a network failure. */
  dropConnections(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  /** Fails every event waiting for an ack, drops the connections and closes the WebSocket server. */
  close(): void {
    for (const p of this.pending.values()) p.resolve({ code: -1 });
    for (const c of this.conns) c.ws.terminate();
    this.wss.close();
  }

  /** Pushes an event to one client and waits for its ack (undefined: nobody connected, or no ack in time). */
  async push(env: object): Promise<Ack> {
    const o = this.core.o;
    const conn = await this.pickConnection();
    if (!conn) return undefined;
    const payload = Buffer.from(JSON.stringify(env), 'utf8');
    const messageId = randomUUID();
    const size = o.fragmentBytes && o.fragmentBytes > 0 ? o.fragmentBytes : payload.length || 1;
    const parts: Buffer[] = [];
    for (let i = 0; i < payload.length; i += size) parts.push(payload.subarray(i, i + size));
    if (parts.length === 0) parts.push(payload);
    const acked = new Promise<{ code: number; data?: string }>((resolve) => {
      this.pending.set(messageId, { resolve });
    });
    const seq = this.seq++;
    parts.forEach((part, i) => {
      const frame: Frame = {
        SeqID: seq,
        LogID: seq,
        service: conn.serviceId,
        method: 1,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: messageId },
          { key: 'sum', value: String(parts.length) },
          { key: 'seq', value: String(i) },
          { key: 'trace_id', value: randomUUID() },
          { key: 'timestamp', value: String(o.wallClock.now().getTime()) },
        ],
        payload: part,
      };
      conn.ws.send(encodeFrame(frame));
    });
    const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), o.redeliverAfterMs ?? 15_000));
    const ack = await Promise.race([acked, timeout]);
    this.pending.delete(messageId);
    if (!ack || ack.code === -1) return undefined;
    let body: unknown;
    if (ack.data) {
      try {
        body = JSON.parse(Buffer.from(ack.data, 'base64').toString('utf8'));
      } catch {
        body = undefined;
      }
    }
    return { code: ack.code, body };
  }

  /** Cluster mode: each event goes to one connected client (round robin), waiting briefly for one. */
  private async pickConnection(): Promise<Conn | undefined> {
    const deadline = this.core.o.wallClock.now().getTime() + (this.core.o.redeliverAfterMs ?? 15_000);
    for (;;) {
      const open = this.conns.filter((c) => c.ws.readyState === WebSocket.OPEN);
      if (open.length > 0) return open[this.rr++ % open.length];
      if (this.core.o.wallClock.now().getTime() > deadline) return undefined;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private onConnection(ws: WebSocket, url: string): void {
    const q = new URLSearchParams(url.split('?')[1] ?? '');
    const conn: Conn = { ws, serviceId: Number(q.get('service_id') ?? 1), deviceId: q.get('device_id') ?? '' };
    this.conns.push(conn);
    this.core.stats.connections++;
    this.core.emit('connection', { count: this.connectionCount });
    ws.on('message', (data: Buffer) => {
      let frame: Frame;
      try {
        frame = decodeFrame(new Uint8Array(data));
      } catch {
        return;
      }
      const type = headerOf(frame, 'type');
      if (frame.method === 0 && type === 'ping') {
        if (!this.pongs) return;
        ws.send(
          encodeFrame({
            SeqID: 0,
            LogID: 0,
            service: conn.serviceId,
            method: 0,
            headers: [{ key: 'type', value: 'pong' }],
            payload: Buffer.from(JSON.stringify(this.clientConfig())),
          }),
        );
        return;
      }
      if (frame.method === 1) {
        const id = headerOf(frame, 'message_id');
        const pending = id ? this.pending.get(id) : undefined;
        if (!pending || !frame.payload) return;
        try {
          const ack = JSON.parse(Buffer.from(frame.payload).toString('utf8')) as { code: number; data?: string };
          pending.resolve(ack);
        } catch {
          pending.resolve({ code: 500 });
        }
      }
    });
    ws.on('close', () => {
      const i = this.conns.indexOf(conn);
      if (i >= 0) this.conns.splice(i, 1);
      this.core.emit('connection', { count: this.connectionCount });
    });
    ws.on('error', () => undefined);
  }

  private clientConfig() {
    return {
      PingInterval: this.core.o.pingIntervalSec ?? 30,
      ReconnectCount: -1,
      ReconnectInterval: this.core.o.reconnectIntervalSec ?? 2,
      ReconnectNonce: 1,
    };
  }
}
