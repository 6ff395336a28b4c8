/**
 * The bot's own open_id (`GET /open-apis/bot/v3/info`), which tells the bot's @mention from the
 * others (docs/feishu-platform.md §4.1). Read in the background with retries — 1 s, 2 s, 4 s … up to a minute
 * between tries, until it succeeds — so a Feishu hiccup at start-up neither blocks the start nor
 * leaves the bot without it for the rest of the run. Until it is known, the parser takes the
 * mentions in front of a command as the bot's (src/router/parse.ts).
 */
import type { Logger } from '../core/contracts.ts';

export interface BotIdentityOptions {
  /** Reads the open_id (undefined or a throw: try again later). */
  fetch: () => Promise<string | undefined>;
  logger: Logger;
  /** The first wait between tries; it doubles up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export class BotIdentity {
  private value: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private tries = 0;
  private resolveKnown: ((openId: string) => void) | undefined;
  /** Resolves with the open_id once it is known. */
  readonly known: Promise<string>;

  constructor(private readonly o: BotIdentityOptions) {
    this.known = new Promise((r) => {
      this.resolveKnown = r;
    });
  }

  /** The open_id, or undefined while it is not known yet. */
  get openId(): string | undefined {
    return this.value;
  }

  /** Starts reading it (the first try at once); returns without waiting. */
  start(): void {
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    this.tries++;
    let failure: string;
    try {
      const openId = await this.o.fetch();
      if (openId) {
        this.value = openId;
        if (this.tries > 1) this.o.logger.info({ tries: this.tries }, 'bot identity read');
        this.resolveKnown?.(openId);
        return;
      }
      failure = 'the answer has no open_id';
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    const first = this.o.firstDelayMs ?? 1000;
    const delay = Math.min(this.o.maxDelayMs ?? 60_000, first * 2 ** (this.tries - 1));
    this.o.logger.warn(
      { tries: this.tries, retryInMs: delay, err: failure.slice(0, 200) },
      'could not read the bot identity; mentions in front of a command are taken as the bot until it is known',
    );
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), delay);
    this.timer.unref?.();
  }
}
