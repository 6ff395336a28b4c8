/**
 * Webhook cryptography (docs/feishu-platform.md §3): AES-256-CBC with key = SHA-256(encrypt key) and the IV as the
 * first 16 bytes, and the signature sha256(timestamp + nonce + encrypt key + raw body bytes).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

function aesKey(encryptKey: string): Buffer {
  return createHash('sha256').update(encryptKey).digest();
}

/** Decrypts an `encrypt` field; throws on a wrong key or a damaged payload. */
export function decryptPayload(encryptKey: string, encrypted: string): string {
  const buf = Buffer.from(encrypted, 'base64');
  if (buf.length < 32 || buf.length % 16 !== 0) throw new Error('encrypted payload has a bad length');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(encryptKey), buf.subarray(0, 16));
  return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
}

/** Encrypts as Feishu does (used by the emulator and tests). */
export function encryptPayload(encryptKey: string, plaintext: string, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv('aes-256-cbc', aesKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

export function computeSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer): string {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from(timestamp + nonce + encryptKey, 'utf8'), rawBody]))
    .digest('hex');
}

/** Constant-time comparison of the `X-Lark-Signature` header with the expected value. */
export function signatureMatches(
  headers: { timestamp: string | undefined; nonce: string | undefined; signature: string | undefined },
  encryptKey: string,
  rawBody: Buffer,
): boolean {
  if (!headers.timestamp || !headers.nonce || !headers.signature) return false;
  const expected = Buffer.from(computeSignature(headers.timestamp, headers.nonce, encryptKey, rawBody), 'utf8');
  const given = Buffer.from(headers.signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
