// Webhook cryptography (src/feishu/crypto.ts, docs/feishu-platform.md §3): AES-256-CBC round trip of Chinese JSON;
// our ciphertext decrypts with the SDK's own AESCipher and Feishu's procedure (written here with
// node:crypto) decrypts with ours; wrong keys and damaged payloads are refused; the signature equals an
// independently computed sha256(timestamp+nonce+key ‖ raw body) and any change breaks it; safeEqual.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import * as lark from '@larksuiteoapi/node-sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeSignature,
  decryptPayload,
  encryptPayload,
  safeEqual,
  signatureMatches,
} from '../../src/feishu/crypto.ts';

const KEY = 'qingfeng-encrypt-key-测试';
const EVENT = JSON.stringify({
  schema: '2.0',
  header: { event_id: 'ev_1', event_type: 'im.message.receive_v1', token: 'v' },
  event: { message: { content: JSON.stringify({ text: '@_user_1 /绑定 “第一党支部”，谢谢！' }) } },
});

/** Feishu's documented procedure, independent of the code under test. */
function feishuEncrypt(key: string, plaintext: string, iv: Buffer): string {
  const aesKey = createHash('sha256').update(key, 'utf8').digest();
  const c = createCipheriv('aes-256-cbc', aesKey, iv);
  return Buffer.concat([iv, c.update(plaintext, 'utf8'), c.final()]).toString('base64');
}

describe('encryptPayload / decryptPayload', () => {
  it('round-trips Chinese JSON', () => {
    expect(decryptPayload(KEY, encryptPayload(KEY, EVENT))).toBe(EVENT);
  });

  it('round-trips any text under any key', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        (k, t) => {
          expect(decryptPayload(k, encryptPayload(k, t))).toBe(t);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('uses a fresh IV each time', () => {
    expect(encryptPayload(KEY, EVENT)).not.toBe(encryptPayload(KEY, EVENT));
  });

  it('is what the SDK decrypts', () => {
    const sdkCipher = new lark.AESCipher(KEY);
    expect(sdkCipher.decrypt(encryptPayload(KEY, EVENT))).toBe(EVENT);
  });

  it('decrypts what Feishu sends', () => {
    const iv = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const encrypted = feishuEncrypt(KEY, EVENT, iv);
    expect(encryptPayload(KEY, EVENT, iv)).toBe(encrypted);
    expect(decryptPayload(KEY, encrypted)).toBe(EVENT);
  });

  it('refuses a wrong key', () => {
    const encrypted = encryptPayload(KEY, EVENT, Buffer.alloc(16, 7));
    expect(() => decryptPayload('another-key', encrypted)).toThrow();
  });

  it('never yields the plaintext under a wrong key', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (k1, k2) => {
        fc.pre(k1 !== k2);
        const encrypted = encryptPayload(k1, EVENT);
        let out: string | undefined;
        try {
          out = decryptPayload(k2, encrypted);
        } catch {
          out = undefined;
        }
        expect(out).not.toBe(EVENT);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses short, truncated and damaged payloads', () => {
    const encrypted = encryptPayload(KEY, EVENT, Buffer.alloc(16, 1));
    const bytes = Buffer.from(encrypted, 'base64');
    const lastByteFlipped = Buffer.from(bytes);
    lastByteFlipped[lastByteFlipped.length - 1] = (lastByteFlipped.at(-1) as number) ^ 0xff;
    const bad = {
      empty: '',
      'only an IV': bytes.subarray(0, 16).toString('base64'),
      'one byte short': bytes.subarray(0, bytes.length - 1).toString('base64'),
      'not base64 at all': '这不是密文',
      'padding damaged': lastByteFlipped.toString('base64'),
    };
    for (const [why, payload] of Object.entries(bad)) {
      expect(() => decryptPayload(KEY, payload), why).toThrow();
    }
  });
});

describe('signatures', () => {
  const timestamp = '1767225600';
  const nonce = 'a1b2c3';
  const rawBody = Buffer.from(`{"encrypt":"${encryptPayload(KEY, EVENT)}","备注":"清风"}`, 'utf8');
  const expected = createHash('sha256')
    .update(Buffer.concat([Buffer.from(timestamp + nonce + KEY, 'utf8'), rawBody]))
    .digest('hex');

  it('computes sha256(timestamp + nonce + key ‖ raw body) in hex', () => {
    expect(computeSignature(timestamp, nonce, KEY, rawBody)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs the raw bytes, not a re-serialisation', () => {
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(rawBody.toString('utf8')), null, 1), 'utf8');
    expect(computeSignature(timestamp, nonce, KEY, reformatted)).not.toBe(expected);
  });

  it('accepts the right headers', () => {
    expect(signatureMatches({ timestamp, nonce, signature: expected }, KEY, rawBody)).toBe(true);
  });

  it('refuses any change', () => {
    const changedByte = Buffer.from(rawBody);
    changedByte[changedByte.length - 3] = (changedByte.at(-3) as number) ^ 1;
    const cases: { why: string; h: Parameters<typeof signatureMatches>[0]; key?: string; body?: Buffer }[] = [
      { why: 'body byte', h: { timestamp, nonce, signature: expected }, body: changedByte },
      { why: 'nonce', h: { timestamp, nonce: 'a1b2c4', signature: expected } },
      { why: 'timestamp', h: { timestamp: '1767225601', nonce, signature: expected } },
      { why: 'key', h: { timestamp, nonce, signature: expected }, key: `${KEY}x` },
      { why: 'upper-case hex', h: { timestamp, nonce, signature: expected.toUpperCase() } },
      { why: 'truncated signature', h: { timestamp, nonce, signature: expected.slice(0, 63) } },
      { why: 'no signature', h: { timestamp, nonce, signature: undefined } },
      { why: 'no timestamp', h: { timestamp: undefined, nonce, signature: expected } },
      { why: 'no nonce', h: { timestamp, nonce: undefined, signature: expected } },
      { why: 'empty signature', h: { timestamp, nonce, signature: '' } },
    ];
    for (const c of cases) {
      expect(signatureMatches(c.h, c.key ?? KEY, c.body ?? rawBody), c.why).toBe(false);
    }
  });

  it('safeEqual compares whole strings, multi-byte included', () => {
    expect(safeEqual('verification-令牌', 'verification-令牌')).toBe(true);
    expect(safeEqual('verification-令牌', 'verification-令')).toBe(false);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('', 'a')).toBe(false);
    const token = randomBytes(16).toString('hex');
    expect(safeEqual(token, `${token}`)).toBe(true);
  });
});
