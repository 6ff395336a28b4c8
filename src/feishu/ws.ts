/**
 * The long connection (default transport): the SDK's WSClient with a ping watchdog and a handshake
 * timeout, so a half-open connection is noticed and re-dialled (docs/feishu-platform.md §1.8). Its state and
 * reconnects show in the logs and in /healthz.
 */
import type * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from '../core/contracts.ts';
import { wrongApp } from './app-id.ts';
import { sdkLogger } from './client.ts';
import { sdk } from './sdk.ts';

export interface LongConnectionOptions {
  appId: string;
  appSecret: string;
  domain: string;
  logger: Logger;
  /** Seconds without any frame after a ping before the socket is dropped and re-dialled. */
  pingTimeoutSec?: number;
  handshakeTimeoutMs?: number;
  /** Wall clock for connection bookkeeping. */
  wallClock: { now(): Date };
}

export interface TransportStatus {
  mode: 'websocket' | 'webhook';
  state: string;
  connected: boolean;
  reconnects: number;
  lastConnectedAt: string | undefined;
  lastDisconnectedAt: string | undefined;
}

/** The SDK internals the silence watchdog reads (present in node-sdk 1.64+; checked at run time). */
interface SdkInternals {
  wsConfig?: { getWSInstance?(): WebSocketLike | null; getWS?(key: 'pingInterval'): number };
}
interface WebSocketLike {
  readyState: number;
  on(event: 'message', fn: () => void): void;
  terminate(): void;
}

export class LongConnection {
  private readonly ws: lark.WSClient;
  private readonly pingTimeoutMs: number;
  private watchdog: NodeJS.Timeout | undefined;
  private watched: WebSocketLike | null = null;
  private lastInbound = 0;
  private reconnects = 0;
  private lastConnectedAt: string | undefined;
  private lastDisconnectedAt: string | undefined;
  private readyResolve: (() => void) | undefined;
  /** Resolves when the first connection is up. */
  readonly ready: Promise<void>;

  constructor(private readonly o: LongConnectionOptions) {
    this.pingTimeoutMs = (o.pingTimeoutSec ?? 20) * 1000;
    this.ready = new Promise((r) => {
      this.readyResolve = r;
    });
    const stamp = () => o.wallClock.now().toISOString();
    this.ws = new sdk.WSClient({
      appId: o.appId,
      appSecret: o.appSecret,
      domain: o.domain,
      logger: sdkLogger(o.logger),
      loggerLevel: sdk.LoggerLevel.warn,
      wsConfig: { pingTimeout: o.pingTimeoutSec ?? 20 },
      handshakeTimeoutMs: o.handshakeTimeoutMs ?? 15_000,
      onReady: () => {
        this.lastConnectedAt = stamp();
        o.logger.info({ transport: 'websocket', state: 'connected' }, 'long connection ready');
        this.readyResolve?.();
      },
      onReconnecting: () => {
        this.lastDisconnectedAt = stamp();
        o.logger.warn({ transport: 'websocket', state: 'reconnecting' }, 'long connection lost; reconnecting');
      },
      onReconnected: () => {
        this.reconnects++;
        this.lastConnectedAt = stamp();
        o.logger.info(
          { transport: 'websocket', state: 'connected', reconnects: this.reconnects },
          'long connection re-established',
        );
      },
      onError: (err: Error) => {
        o.logger.error({ transport: 'websocket', state: 'failed', err: err.message }, 'long connection failed');
      },
    });
  }

  start(dispatcher: lark.EventDispatcher): void {
    void this.ws.start({ eventDispatcher: forApp(dispatcher, this.o.appId, this.o.logger) });
    this.watchdog = setInterval(() => this.checkSilence(), 1000);
    this.watchdog.unref();
  }

  /**
   * A second watchdog: the SDK re-arms its own timer at every ping, so when the server's ping
   * interval is shorter than pingTimeout it never fires. Here a socket with no inbound frame (pong
   * or event) for one ping interval plus pingTimeout is dropped, and the SDK re-dials.
   */
  private checkSilence(): void {
    const internals = (this.ws as unknown as SdkInternals).wsConfig;
    const socket = internals?.getWSInstance?.() ?? null;
    const now = this.o.wallClock.now().getTime();
    if (socket !== this.watched) {
      this.watched = socket;
      this.lastInbound = now;
      socket?.on('message', () => {
        this.lastInbound = this.o.wallClock.now().getTime();
      });
      return;
    }
    const interval = internals?.getWS?.('pingInterval') ?? 120_000;
    if (socket && socket.readyState === 1 && now - this.lastInbound > interval + this.pingTimeoutMs) {
      this.o.logger.warn(
        { transport: 'websocket', silentMs: now - this.lastInbound },
        'long connection silent; dropping it',
      );
      this.lastInbound = now;
      socket.terminate();
    }
  }

  status(): TransportStatus {
    const s = this.ws.getConnectionStatus();
    return {
      mode: 'websocket',
      state: s.state,
      connected: s.state === 'connected',
      reconnects: this.reconnects,
      lastConnectedAt: this.lastConnectedAt,
      lastDisconnectedAt: this.lastDisconnectedAt,
    };
  }

  close(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.ws.close({ force: true });
  }
}

/**
 * The dispatcher as the long connection sees it: a frame whose event names no app id, or another
 * app's, is ignored (acknowledged, nothing runs) and logged.
 */
export function forApp(dispatcher: lark.EventDispatcher, appId: string, logger: Logger): lark.EventDispatcher {
  const guarded = Object.create(dispatcher) as lark.EventDispatcher;
  guarded.invoke = async (data: unknown, params?: { needCheck?: boolean }) => {
    const why = wrongApp(data, appId);
    if (why) {
      const header = (data as { header?: { event_type?: unknown } } | undefined)?.header;
      logger.warn(
        {
          transport: 'websocket',
          event: typeof header?.event_type === 'string' ? header.event_type : undefined,
          reason: why,
        },
        'event ignored: not for this app',
      );
      return undefined;
    }
    return dispatcher.invoke(data, params);
  };
  return guarded;
}
