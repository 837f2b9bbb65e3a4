/** Where command results go: text for people, JSON for scripts, warnings to stderr. */
export interface Output {
  text(message: string): void;
  json(value: unknown): void;
  warn(message: string): void;
  /** Set from the running command's `--quiet`. */
  quiet: boolean;
}

export function consoleOutput(): Output {
  const output: Output = {
    quiet: false,
    text: (message) => {
      if (!output.quiet) process.stdout.write(message);
    },
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    warn: (message) => {
      if (!output.quiet) process.stderr.write(`warning: ${message}\n`);
    },
  };
  return output;
}

/**
 * `taipan list | head -1`: once the reader has gone, whatever is left to print is dropped
 * and the command ends normally (status 0 when it succeeds), with no EPIPE trace. The
 * command is not cut short: a transaction piped into `head` still finishes or rolls back.
 */
export function dropOutputOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    stream.write = ((_chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    }) as NodeJS.WriteStream['write'];
  });
}
