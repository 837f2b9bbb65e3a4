/**
 * Progress on a terminal: one line that is rewritten in place. Silent when stderr is not
 * a TTY, and in --json and --quiet modes, so scripts and logs only see results.
 */
export class Progress {
  private readonly enabled: boolean;
  private lastLength = 0;

  constructor(options: { json?: boolean; quiet?: boolean }, stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = Boolean(stream.isTTY) && !options.json && !options.quiet;
    this.stream = stream;
  }

  private readonly stream: NodeJS.WriteStream;

  update(text: string): void {
    if (!this.enabled) return;
    const columns = this.stream.columns || 80;
    const line = text.length >= columns ? `${text.slice(0, columns - 2)}…` : text;
    this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.lastLength - line.length))}`);
    this.lastLength = line.length;
  }

  done(): void {
    if (!this.enabled || this.lastLength === 0) return;
    this.stream.write(`\r${' '.repeat(this.lastLength)}\r`);
    this.lastLength = 0;
  }
}
