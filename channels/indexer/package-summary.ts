/**
 * What the indexer keeps of one archive: its repodata record, its run_exports, and the
 * few facts channeldata.json publishes (about, scripts, prefix placeholders). Cached per
 * file with its size and mtime, so re-indexing reads only new or changed archives.
 */
import { readArchiveMetadata, hashFile } from '../archive/index.js';
import type { PackageRecord } from '../model/package-record.js';

export interface PackageSummary {
  readonly size: number;
  readonly mtimeMs: number;
  readonly record: PackageRecord;
  readonly runExports?: Record<string, unknown>;
  readonly about: { summary?: string; description?: string; home?: string; dev_url?: string; doc_url?: string; license?: string };
  readonly flags: {
    'activate.d': boolean;
    'deactivate.d': boolean;
    post_link: boolean;
    pre_link: boolean;
    pre_unlink: boolean;
    binary_prefix: boolean;
    text_prefix: boolean;
  };
}

export async function summarizeArchive(file: string, size: number, mtimeMs: number): Promise<PackageSummary> {
  const [metadata, hashes] = await Promise.all([readArchiveMetadata(file), hashFile(file)]);
  const paths = metadata.paths.paths.map((p) => p._path);
  const name = metadata.index.name;
  const has = (test: (p: string) => boolean): boolean => paths.some(test);
  const about = (metadata.about ?? {}) as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof about[key] === 'string' ? (about[key] as string) : undefined);
  return {
    size,
    mtimeMs,
    record: { ...metadata.index, md5: hashes.md5, sha256: hashes.sha256, size: hashes.size },
    ...(metadata.runExports ? { runExports: metadata.runExports as Record<string, unknown> } : {}),
    about: {
      ...(text('summary') ? { summary: text('summary') } : {}),
      ...(text('description') ? { description: text('description') } : {}),
      ...(text('home') ? { home: text('home') } : {}),
      ...(text('dev_url') ? { dev_url: text('dev_url') } : {}),
      ...(text('doc_url') ? { doc_url: text('doc_url') } : {}),
      ...(text('license') ? { license: text('license') } : {}),
    },
    flags: {
      'activate.d': has((p) => p.startsWith('etc/conda/activate.d/')),
      'deactivate.d': has((p) => p.startsWith('etc/conda/deactivate.d/')),
      post_link: has((p) => /^(bin|Scripts)\/\./.test(p) && p.includes(`${name}-post-link.`)),
      pre_link: has((p) => /^(bin|Scripts)\/\./.test(p) && p.includes(`${name}-pre-link.`)),
      pre_unlink: has((p) => /^(bin|Scripts)\/\./.test(p) && p.includes(`${name}-pre-unlink.`)),
      binary_prefix: metadata.paths.paths.some((p) => p.prefix_placeholder !== undefined && p.file_mode === 'binary'),
      text_prefix: metadata.paths.paths.some((p) => p.prefix_placeholder !== undefined && p.file_mode !== 'binary'),
    },
  };
}
