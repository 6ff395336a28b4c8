/**
 * multipart/form-data for the emulator's file upload endpoints, parsed by Node's own
 * `Response.formData()` (undici).
 *
 * One adjustment first: per the HTML spec, `formData()` decodes a part without a `filename` as UTF-8
 * text, and the SDK sends the uploaded file as such a part (`name="file"`, `application/octet-stream`,
 * no filename), so its bytes would be lost. Every part is therefore marked as a file (`filename=""`
 * when it has none) and read back as bytes; callers decode the text fields as UTF-8 themselves.
 */

export interface Part {
  name: string;
  filename: string | undefined;
  data: Buffer;
}

export async function parseMultipart(body: Buffer, contentType: string): Promise<Part[]> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new Error('no multipart boundary');
  let form: FormData;
  try {
    form = await new Response(markAllAsFiles(body, boundary), {
      headers: { 'content-type': contentType },
    }).formData();
  } catch {
    // A malformed body holds no usable part (the callers answer "file is empty").
    return [];
  }
  const parts: Part[] = [];
  for (const [name, value] of form) {
    if (typeof value === 'string') {
      parts.push({ name, filename: undefined, data: Buffer.from(value, 'utf8') });
    } else {
      parts.push({ name, filename: value.name || undefined, data: Buffer.from(await value.arrayBuffer()) });
    }
  }
  return parts;
}

/** Adds `filename=""` to each part's Content-Disposition that has none (bytes kept as they are: latin1). */
function markAllAsFiles(body: Buffer, boundary: string): Buffer {
  const delim = `--${boundary}\r\n`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const headerBlocks = new RegExp(`${delim}[^]*?\\r\\n\\r\\n`, 'g');
  const text = body
    .toString('latin1')
    .replace(headerBlocks, (block) =>
      block.replace(/^(content-disposition:[^\r\n]*)$/im, (line) =>
        /\bfilename\*?=/i.test(line) ? line : `${line}; filename=""`,
      ),
    );
  return Buffer.from(text, 'latin1');
}
