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

/**
 * Download progress across packages: one line with packages done, bytes received of the
 * bytes expected, and the rate, fed by the package cache's per-package byte counts.
 */
export class DownloadMeter {
  private readonly received = new Map<string, { bytes: number; total: number | undefined }>();
  private readonly started = Date.now();

  constructor(
    private readonly progress: Progress,
    private readonly expected: number,
  ) {}

  update(key: string, bytes: number, total: number | undefined): void {
    this.received.set(key, { bytes, total });
    let done = 0;
    let bytesSum = 0;
    let totalSum = 0;
    for (const entry of this.received.values()) {
      bytesSum += entry.bytes;
      totalSum += entry.total ?? entry.bytes;
      if (entry.total !== undefined && entry.bytes >= entry.total) done++;
    }
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    // In the plan table's units, so the two can be compared.
    this.progress.update(
      `downloading ${done}/${this.expected} packages  ${formatSize(bytesSum)} / ${formatSize(totalSum)}  ${formatSize(Math.round(bytesSum / seconds))}/s`,
    );
  }
}

/** conda's sizes: 1024-based, `KB`/`MB`/`GB` as conda and mamba print them. */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
