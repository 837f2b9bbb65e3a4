/**
 * Repodata of channels on the local disk (a folder or a file:// URL holding
 * `<subdir>/repodata.json`). Remote channels get their own loader in the HTTP layer.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Channel } from '../model/channel.js';
import { TaipanError } from '../model/errors.js';
import type { RepoDataRecord } from '../model/package-record.js';
import { recordsFromRepodata, type RepodataJson } from './records.js';

/** The records of one subdir, or undefined when the channel has no such subdir. */
export async function loadLocalSubdir(channel: Channel, subdir: string): Promise<RepoDataRecord[] | undefined> {
  const root = channel.localPath();
  if (root === undefined) {
    throw new TaipanError('INVALID_CHANNEL', `channel '${channel.baseUrl}' is not a local folder`);
  }
  const file = path.join(root, subdir, 'repodata.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TaipanError('INVALID_REPODATA', `cannot read '${file}'`, { cause: error });
  }
  let json: RepodataJson;
  try {
    json = JSON.parse(text) as RepodataJson;
  } catch (error) {
    throw new TaipanError('INVALID_REPODATA', `'${file}' is not valid JSON: ${(error as Error).message}`, {
      cause: error,
      hint: 'regenerate the channel index (taipan index) or fix the file',
    });
  }
  return recordsFromRepodata(json, channel, subdir, file);
}
