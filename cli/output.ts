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
