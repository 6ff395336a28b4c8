/**
 * The long-connection frame (docs/feishu-platform.md §2.3): protobuf `pbbp2.Frame`, proto2, encoded by hand.
 * Every required field is always written, zeros included, because the SDK's decoder throws when one
 * is missing.
 */

export interface FrameHeader {
  key: string;
  value: string;
}

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  /** 0 = control (ping/pong), 1 = data (event). */
  method: number;
  headers: FrameHeader[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  LogIDNew?: string;
}

function varint(n: number, out: number[]): void {
  let v = BigInt(Math.max(0, Math.floor(n)));
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
}

function key(field: number, wire: number, out: number[]): void {
  varint((field << 3) | wire, out);
}

function bytesField(field: number, data: Uint8Array, out: number[]): void {
  key(field, 2, out);
  varint(data.length, out);
  for (const b of data) out.push(b);
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function encodeFrame(f: Frame): Uint8Array {
  const out: number[] = [];
  key(1, 0, out);
  varint(f.SeqID, out);
  key(2, 0, out);
  varint(f.LogID, out);
  key(3, 0, out);
  varint(f.service, out);
  key(4, 0, out);
  varint(f.method, out);
  for (const h of f.headers) {
    const inner: number[] = [];
    bytesField(1, utf8.encode(h.key), inner);
    bytesField(2, utf8.encode(h.value), inner);
    bytesField(5, Uint8Array.from(inner), out);
  }
  if (f.payloadEncoding !== undefined) bytesField(6, utf8.encode(f.payloadEncoding), out);
  if (f.payloadType !== undefined) bytesField(7, utf8.encode(f.payloadType), out);
  if (f.payload !== undefined) bytesField(8, f.payload, out);
  if (f.LogIDNew !== undefined) bytesField(9, utf8.encode(f.LogIDNew), out);
  return Uint8Array.from(out);
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return Number(result);
      shift += 7n;
      if (shift > 70n) throw new Error('varint too long');
    }
  }
  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.buf.length) throw new Error('truncated field');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function decodeHeader(buf: Uint8Array): FrameHeader {
  const r = new Reader(buf);
  const h: FrameHeader = { key: '', value: '' };
  while (!r.done) {
    const tag = r.varint();
    const field = tag >> 3;
    if (field === 1) h.key = fromUtf8.decode(r.bytes());
    else if (field === 2) h.value = fromUtf8.decode(r.bytes());
    else r.skip(tag & 7);
  }
  return h;
}

export function decodeFrame(buf: Uint8Array): Frame {
  const r = new Reader(buf);
  const f: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] };
  while (!r.done) {
    const tag = r.varint();
    const field = tag >> 3;
    switch (field) {
      case 1:
        f.SeqID = r.varint();
        break;
      case 2:
        f.LogID = r.varint();
        break;
      case 3:
        f.service = r.varint();
        break;
      case 4:
        f.method = r.varint();
        break;
      case 5:
        f.headers.push(decodeHeader(r.bytes()));
        break;
      case 6:
        f.payloadEncoding = fromUtf8.decode(r.bytes());
        break;
      case 7:
        f.payloadType = fromUtf8.decode(r.bytes());
        break;
      case 8:
        f.payload = r.bytes().slice();
        break;
      case 9:
        f.LogIDNew = fromUtf8.decode(r.bytes());
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return f;
}

export function headerOf(f: Frame, k: string): string | undefined {
  return f.headers.find((h) => h.key === k)?.value;
}
