/**
 * Minimal typings for the two untyped compression libraries this folder uses.
 * Only the members we call are declared.
 */
declare module 'unbzip2-stream' {
  import type { Duplex } from 'node:stream';
  /** A through-stream that turns bzip2 bytes into the decompressed bytes. */
  function unbzip2Stream(): Duplex;
  export default unbzip2Stream;
}

declare module 'compressjs' {
  /** compressjs's byte stream protocol (reads return -1 at EOF). */
  export interface CompressjsInput {
    readByte(): number;
    read?(buf: Uint8Array, offset: number, length: number): number;
    eof?(): boolean;
  }
  export interface CompressjsOutput {
    writeByte(byte: number): void;
    write?(buf: Uint8Array, offset: number, length: number): number;
    flush?(): void;
  }
  interface Bzip2Codec {
    /** Compress `input` into `output`; `blockSizeMultiplier` is bzip2's -1..-9. */
    compressFile(input: CompressjsInput | Uint8Array, output?: CompressjsOutput, blockSizeMultiplier?: number): unknown;
  }
  const compressjs: { Bzip2: Bzip2Codec };
  export default compressjs;
}
