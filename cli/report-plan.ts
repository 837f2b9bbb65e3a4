/**
 * How a transaction plan is shown: a table for people, conda's `--json` shape for scripts.
 */
import { Channel } from '../channels/model/channel.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import { Version } from '../channels/model/version.js';
import { archiveStem } from '../channels/repodata/records.js';
import type { TransactionPlan } from '../environments/transaction/plan.js';

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

function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The plan as an aligned table with one row per package. */
export function planTable(prefix: string, plan: TransactionPlan): string {
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
      channelName(record),
      change === 'remove' ? '' : formatSize(record.size),
    ]),
  ];
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => (row[col] ?? '').length)));
  const lines = table.map((row) => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ').trimEnd());
  const counts = new Map<Change, number>();
  for (const { change } of rows) counts.set(change, (counts.get(change) ?? 0) + 1);
  const summary = [...counts].map(([change, n]) => `${n} to ${change}`).join(', ');
  return `\nEnvironment: ${prefix}\n\n  ${lines.join('\n  ')}\n\n  ${summary}\n`;
}
