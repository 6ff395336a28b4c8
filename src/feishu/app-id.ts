/**
 * Every event names the app it is for (`header.app_id`, or `app_id` in the old 1.0 envelope). One
 * that names no app, or another app, is not ours: a signed webhook request is refused (401) and a
 * long-connection frame is ignored and logged. The same check for both transports.
 */

/** The app id an event envelope (plain, decrypted) names, if any. */
export function eventAppId(envelope: unknown): string | undefined {
  if (!envelope || typeof envelope !== 'object') return undefined;
  const e = envelope as { header?: unknown; app_id?: unknown; event?: unknown };
  const header = e.header && typeof e.header === 'object' ? (e.header as { app_id?: unknown }) : undefined;
  if (typeof header?.app_id === 'string') return header.app_id;
  if (typeof e.app_id === 'string') return e.app_id;
  const event = e.event && typeof e.event === 'object' ? (e.event as { app_id?: unknown }) : undefined;
  return typeof event?.app_id === 'string' ? event.app_id : undefined;
}

/** Why an event is not for `appId` (missing or another app's id), or undefined when it is. */
export function wrongApp(envelope: unknown, appId: string): 'missing app_id' | 'event for another app' | undefined {
  const id = eventAppId(envelope);
  if (id === undefined || id === '') return 'missing app_id';
  return id === appId ? undefined : 'event for another app';
}
