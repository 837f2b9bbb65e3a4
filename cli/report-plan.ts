/**
 * How a transaction plan is shown: a table for people, conda's `--json` shape for scripts.
 */
import { Channel } from '../channels/model/channel.js';
import { channelLabel } from '../channels/model/channel-label.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import { Version } from '../channels/model/version.js';
import { archiveStem } from '../channels/repodata/records.js';
import type { TransactionPlan } from '../environments/transaction/plan.js';
import { formatSize } from './progress.js';

export interface JsonAction {
  name: string;
  version: string;
  build_string: string;
  build_number: number;
  channel: string;
  platform: string;
  dist_name: string;
  base_url: string;
}

/** The channel's canonical name (conda's `channel` field: a short name or the whole URL). */
export function channelName(record: RepoDataRecord): string {
  return Channel.parse(record.channel).name;
}

export function jsonAction(record: RepoDataRecord): JsonAction {
  const channel = Channel.parse(record.channel);
  return {
    name: record.name,
    version: record.version,
    build_string: record.build,
    build_number: record.build_number,
    channel: channel.name,
    platform: record.subdir ?? '',
    dist_name: archiveStem(record.fn),
    base_url: channel.baseUrl,
  };
}

export function planJson(prefix: string, plan: TransactionPlan, fetch: readonly RepoDataRecord[], dryRun: boolean): object {
  return {
    success: true,
    dry_run: dryRun,
    prefix,
    actions: {
      PREFIX: prefix,
      FETCH: fetch.map((r) => ({ ...jsonAction(r), url: r.url, md5: r.md5, sha256: r.sha256, size: r.size })),
      UNLINK: plan.unlink.map(jsonAction),
      LINK: plan.link.map(jsonAction),
    },
  };
}

type Change = 'install' | 'remove' | 'upgrade' | 'downgrade' | 'change' | 'reinstall';

function classify(plan: TransactionPlan): { change: Change; record: RepoDataRecord; from?: RepoDataRecord }[] {
  const unlinkByName = new Map(plan.unlink.map((r) => [r.name, r]));
  const linkNames = new Set(plan.link.map((r) => r.name));
  const rows: { change: Change; record: RepoDataRecord; from?: RepoDataRecord }[] = [];
  for (const record of plan.link) {
    const from = unlinkByName.get(record.name);
    if (!from) {
      rows.push({ change: 'install', record });
      continue;
    }
    const order = Version.parse(record.version).compare(Version.parse(from.version));
    const change: Change =
      order > 0 ? 'upgrade' : order < 0 ? 'downgrade' : from.build === record.build && from.channel === record.channel ? 'reinstall' : 'change';
    rows.push({ change, record, from });
  }
  for (const record of plan.unlink) if (!linkNames.has(record.name)) rows.push({ change: 'remove', record });
  return rows.sort((a, b) => (a.record.name < b.record.name ? -1 : 1));
}

/** The table fits a 100-column terminal, indent included. */
const TABLE_WIDTH = 100;
const INDENT = '  ';
const GAP = '  ';

/** Shrunk first to last, and not below these widths; the mark and the size never shrink. */
const SHRINK_ORDER = [3, 4, 1, 2] as const;
const MIN_WIDTHS: Record<number, number> = { 1: 12, 2: 12, 3: 8, 4: 8 };

/** A cell cut to `width` with `…`; channel labels keep their end, which names the channel. */
function fit(cell: string, width: number, keepEnd: boolean): string {
  if (cell.length <= width) return cell;
  return keepEnd ? `…${cell.slice(cell.length - width + 1)}` : `${cell.slice(0, width - 1)}…`;
}

/** Column widths for `table`, narrowed (widest shrinkable first) until a row fits TABLE_WIDTH. */
function columnWidths(table: readonly string[][]): number[] {
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => (row[col] ?? '').length)));
  const total = (): number => INDENT.length + widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  while (total() > TABLE_WIDTH) {
    const shrinkable = SHRINK_ORDER.filter((col) => widths[col]! > MIN_WIDTHS[col]!);
    if (shrinkable.length === 0) break;
    const widest = shrinkable.reduce((a, b) => (widths[b]! > widths[a]! ? b : a));
    widths[widest]!--;
  }
  return widths;
}

/** Why a package moves to another channel, in conda's words. */
function channelNotes(rows: ReturnType<typeof classify>): string[] {
  const notes: string[] = [];
  for (const { change, record, from } of rows) {
    if (from === undefined || change === 'remove') continue;
    const before = channelLabel(from.channel);
    const after = channelLabel(record.channel);
    if (before !== after) notes.push(`${record.name}: SUPERSEDED by a higher-priority channel (${fit(before, 28, true)} -> ${fit(after, 28, true)})`);
  }
  return notes;
}

/** `Total download: 12.3 MB (5 packages)`, or that nothing needs downloading. */
function downloadLine(fetch: readonly RepoDataRecord[]): string {
  if (fetch.length === 0) return 'Nothing to download: every package is in the package cache';
  const bytes = fetch.reduce((sum, r) => sum + (r.size ?? 0), 0);
  const unknown = fetch.filter((r) => r.size === undefined).length;
  const count = `${fetch.length} package${fetch.length === 1 ? '' : 's'}`;
  return `Total download: ${formatSize(bytes)} (${count}${unknown > 0 ? `, ${unknown} of unknown size` : ''})`;
}

/**
 * The plan as an aligned table with one row per package, fitted to 100 columns, then why
 * packages change channel and what must be downloaded. `fetch` is what is not in the
 * package cache yet; without it every package to link counts.
 */
export function planTable(prefix: string, plan: TransactionPlan, fetch: readonly RepoDataRecord[] = plan.link): string {
  const rows = classify(plan);
  if (rows.length === 0) return `All requested packages already installed in '${prefix}'.\n`;
  const marks: Record<Change, string> = { install: '+', remove: '-', upgrade: '↑', downgrade: '↓', change: '~', reinstall: '↻' };
  const table = [
    ['', 'Package', 'Version', 'Build', 'Channel', 'Size'],
    ...rows.map(({ change, record, from }) => [
      marks[change],
      record.name,
      from && change !== 'remove' && change !== 'reinstall' ? `${from.version} -> ${record.version}` : record.version,
      record.build,
      channelLabel(record.channel),
      change === 'remove' ? '' : formatSize(record.size),
    ]),
  ];
  const widths = columnWidths(table);
  const sizeColumn = widths.length - 1;
  const lines = table.map((row, i) =>
    row
      .map((cell, col) => {
        const width = widths[col] ?? 0;
        // Sizes line up on the right, under their header.
        if (col === sizeColumn && i > 0) return cell.padStart(width);
        return fit(cell, width, col === 4).padEnd(width);
      })
      .join(GAP)
      .trimEnd(),
  );
  const counts = new Map<Change, number>();
  for (const { change } of rows) counts.set(change, (counts.get(change) ?? 0) + 1);
  const summary = [...counts].map(([change, n]) => `${n} to ${change}`).join(', ');
  const notes = channelNotes(rows);
  const noteText = notes.length > 0 ? `\n\n${INDENT}${notes.map((n) => fit(n, TABLE_WIDTH - INDENT.length, false)).join(`\n${INDENT}`)}` : '';
  const download = plan.link.length > 0 ? `\n${INDENT}${downloadLine(fetch)}` : '';
  return `\nEnvironment: ${prefix}\n\n${INDENT}${lines.join(`\n${INDENT}`)}${noteText}\n\n${INDENT}${summary}${download}\n`;
}
