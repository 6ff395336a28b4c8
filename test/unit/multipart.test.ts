// The emulator's multipart parsing (src/sandbox/multipart.ts, over Node's Response.formData): text
// fields come back as UTF-8 bytes, a binary part without a filename (how the SDK sends an upload) keeps
// every byte, a filename is read when given, and a body that is not multipart holds no part.
import { describe, expect, it } from 'vitest';
import { parseMultipart } from '../../src/sandbox/multipart.ts';

const BOUNDARY = '--------------------------83df1366738a3c6b1558c572';
const TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

function body(parts: { headers: string; data: Buffer }[]): Buffer {
  return Buffer.concat([
    ...parts.flatMap((p) => [Buffer.from(`--${BOUNDARY}\r\n${p.headers}\r\n\r\n`), p.data, Buffer.from('\r\n')]),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
}

describe('parseMultipart', () => {
  it('keeps text fields and the bytes of a binary part without a filename', async () => {
    const binary = Buffer.from([0xff, 0x00, 0x80, 0x0d, 0x0a, 0x2d, 0x2d, 0x41, 0xc3]);
    const parts = await parseMultipart(
      body([
        { headers: 'Content-Disposition: form-data; name="file_type"', data: Buffer.from('stream') },
        { headers: 'Content-Disposition: form-data; name="file_name"', data: Buffer.from('整改台账.xlsx') },
        {
          headers: 'Content-Disposition: form-data; name="file"\r\nContent-Type: application/octet-stream',
          data: binary,
        },
      ]),
      TYPE,
    );
    expect(parts.map((p) => [p.name, p.filename])).toEqual([
      ['file_type', undefined],
      ['file_name', undefined],
      ['file', undefined],
    ]);
    expect(parts[1]?.data.toString('utf8')).toBe('整改台账.xlsx');
    expect(parts[2]?.data.equals(binary)).toBe(true);
  });

  it('reads a filename when the part has one', async () => {
    const parts = await parseMultipart(
      body([{ headers: 'Content-Disposition: form-data; name="image"; filename="图.png"', data: Buffer.from('png') }]),
      `multipart/form-data; boundary="${BOUNDARY}"`,
    );
    expect(parts).toEqual([{ name: 'image', filename: '图.png', data: Buffer.from('png') }]);
  });

  it('finds no part in a body that is not multipart, and refuses a type without a boundary', async () => {
    expect(await parseMultipart(Buffer.from('not multipart'), TYPE)).toEqual([]);
    await expect(parseMultipart(Buffer.from(''), 'multipart/form-data')).rejects.toThrow('no multipart boundary');
  });
});
