/**
 * Prefix placeholder replacement, as conda does it. Text files: every occurrence of the
 * placeholder becomes the prefix. Binary files: the placeholder is replaced inside its
 * NUL-terminated string and the string is padded with NULs so every offset in the file
 * stays where it was; a prefix longer than the placeholder cannot fit and is refused.
 */
import { TaipanError } from '../../channels/model/errors.js';

export type FileMode = 'text' | 'binary';

export function replacePrefixPlaceholder(data: Buffer, placeholder: string, prefix: string, mode: FileMode): Buffer {
  const from = Buffer.from(placeholder, 'utf8');
  const to = Buffer.from(prefix, 'utf8');
  if (from.length === 0) return data;
  return mode === 'text' ? replaceAll(data, from, to) : replaceBinary(data, from, to);
}

function replaceAll(data: Buffer, from: Buffer, to: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let at = data.indexOf(from, start); at !== -1; at = data.indexOf(from, start)) {
    parts.push(data.subarray(start, at), to);
    start = at + from.length;
  }
  if (parts.length === 0) return data;
  parts.push(data.subarray(start));
  return Buffer.concat(parts);
}

function replaceBinary(data: Buffer, from: Buffer, to: Buffer): Buffer {
  if (to.length > from.length) {
    throw new TaipanError(
      'LINK_FAILED',
      `the prefix '${to.toString()}' is longer than the package's binary placeholder (${from.length} characters)`,
      { hint: 'choose a shorter environment path' },
    );
  }
  let out: Buffer | undefined;
  let at = data.indexOf(from);
  while (at !== -1) {
    out ??= Buffer.from(data);
    let end = out.indexOf(0, at);
    if (end === -1) end = out.length;
    const replaced = replaceAll(out.subarray(at, end), from, to);
    const padded = Buffer.alloc(end - at, 0);
    replaced.copy(padded);
    padded.copy(out, at);
    at = out.indexOf(from, end);
  }
  return out ?? data;
}
