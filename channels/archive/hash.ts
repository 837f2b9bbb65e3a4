/** Streaming sha256 + md5 + size of package archives (the values repodata records carry). */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Digests of a whole archive, hex encoded, as in repodata (`sha256`, `md5`, `size`). */
export interface FileHashes {
  sha256: string;
  md5: string;
  size: number;
}

/** Pass-through stream that hashes every byte going through it. */
export class HashingStream extends Transform {
  readonly #sha256: Hash = createHash('sha256');
  readonly #md5: Hash = createHash('md5');
  #size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#sha256.update(chunk);
    this.#md5.update(chunk);
    this.#size += chunk.length;
    callback(null, chunk);
  }

  /** The digests of what went through; call once, after the stream ended. */
  digest(): FileHashes {
    return { sha256: this.#sha256.digest('hex'), md5: this.#md5.digest('hex'), size: this.#size };
  }
}

/** sha256, md5 and size of a file, read as a stream (constant memory). */
export async function hashFile(filePath: string): Promise<FileHashes> {
  const hasher = new HashingStream();
  await pipeline(createReadStream(filePath), hasher, async (source: AsyncIterable<Buffer>) => {
    // Drain: the hasher only needs the bytes to flow through it.
    for await (const _ of source) void _;
  });
  return hasher.digest();
}
