import { rename, writeFile } from 'node:fs/promises';

/** Write then rename, so a reader (or a crash) sees the whole file or none of it. */
export async function writeFileAtomically(file: string, content: string | Uint8Array): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, content);
  await rename(temp, file);
}

export async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await writeFileAtomically(file, `${JSON.stringify(value, null, 2)}\n`);
}
