/**
 * Shebangs the kernel cannot run. Linux reads at most 127 bytes of a `#!` line (macOS 512),
 * and no kernel splits an interpreter path at an escaped space, so a script whose
 * placeholder became a long or spaced prefix would stop running. conda then rewrites the
 * line to `#!/usr/bin/env <interpreter> <options>`, which finds the interpreter on PATH
 * (the activated environment's); taipan does the same.
 */

/** The longest `#!` line Linux executes, without the newline. */
export const MAX_SHEBANG_LENGTH = 127;

// `#!`, optional blanks, the interpreter (a path: `\ ` is an escaped space), the options.
const SHEBANG = /^#![ \t]*(\/(?:\\ |[^ \t\r\n])*)([^\r\n]*)/;

/**
 * `data` with its first line rewritten to use /usr/bin/env when that line is a shebang
 * longer than the kernel allows or with a space in the interpreter's folder; otherwise
 * `data` itself.
 */
export function replaceLongShebang(data: Buffer, maxLength = MAX_SHEBANG_LENGTH): Buffer {
  if (data.length < 2 || data[0] !== 0x23 || data[1] !== 0x21) return data;
  const end = data.indexOf(0x0a);
  const firstLine = data.subarray(0, end === -1 ? data.length : end).toString('utf8');
  const match = SHEBANG.exec(firstLine);
  if (!match) return data;
  const interpreter = match[1] ?? '';
  const options = match[2] ?? '';
  const slash = interpreter.lastIndexOf('/');
  const folder = interpreter.slice(0, slash);
  const name = interpreter.slice(slash + 1);
  const tooLong = Buffer.byteLength(firstLine.replace(/\r$/, '')) > maxLength;
  if (!tooLong && !folder.includes(' ')) return data;
  // An escaped space in the interpreter's own name cannot be expressed through env either.
  if (name === '' || name.includes(' ')) return data;
  const rewritten = `#!/usr/bin/env ${name}${options}${firstLine.endsWith('\r') ? '\r' : ''}`;
  return Buffer.concat([Buffer.from(rewritten, 'utf8'), end === -1 ? Buffer.alloc(0) : data.subarray(end)]);
}

/**
 * Replace the placeholder in a `#!` first line with the prefix, its spaces escaped (`\ `)
 * as conda writes them, so `replaceLongShebang` can tell the interpreter from its options.
 * The rest of the file is left for the ordinary placeholder replacement.
 */
export function relocateShebangLine(data: Buffer, placeholder: string, prefix: string): Buffer {
  if (data.length < 2 || data[0] !== 0x23 || data[1] !== 0x21) return data;
  const end = data.indexOf(0x0a);
  const firstLine = data.subarray(0, end === -1 ? data.length : end).toString('utf8');
  if (!firstLine.includes(placeholder)) return data;
  const relocated = firstLine.split(placeholder).join(prefix.replace(/ /g, '\\ '));
  return Buffer.concat([Buffer.from(relocated, 'utf8'), end === -1 ? Buffer.alloc(0) : data.subarray(end)]);
}

/** A text file's placeholder replaced by `prefix`, its shebang made runnable (POSIX only). */
export function relocateScript(data: Buffer, placeholder: string, prefix: string, replaceRest: (data: Buffer) => Buffer): Buffer {
  return replaceLongShebang(replaceRest(relocateShebangLine(data, placeholder, prefix)));
}
