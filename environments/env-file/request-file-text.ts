/**
 * The text of one `--file` / `env create -f` argument: a file on disk, or an http(s) URL
 * downloaded as conda and mamba accept it (`conda env create -f https://…/environment.yml`).
 * A URL's credentials are kept for the wire only; the name printed is redacted.
 */
import { readFile } from 'node:fs/promises';
import { TaipanError } from '../../channels/model/errors.js';
import { defaultHttpClient, type HttpClient } from '../../channels/fetch/http-client.js';
import { isRemoteUrl } from '../../channels/fetch/url-trust.js';

export interface RequestFileText {
  readonly text: string;
  /** The path, or the URL without credentials: what messages name. */
  readonly source: string;
  /** Read from the network: what it names is held to the rules of fetch/url-trust.ts. */
  readonly remote: boolean;
  /** The path or URL path, for telling environment.yml files by their extension. */
  readonly fileName: string;
}

/** Environment and lock files are small; a server sending more is not sending one. */
const MAX_REMOTE_BYTES = 64 * 1024 * 1024;

export async function readRequestFileText(file: string, client: HttpClient = defaultHttpClient()): Promise<RequestFileText> {
  if (!isRemoteUrl(file)) {
    try {
      return { text: await readFile(file, 'utf8'), source: file, remote: false, fileName: file };
    } catch (error) {
      throw new TaipanError('INVALID_ARGUMENT', `cannot read '${file}': ${(error as Error).message}`, { cause: error });
    }
  }
  const source = client.credentials.addFromUrl(file);
  const fileName = new URL(source).pathname;
  const response = await client.get(source);
  if (response.status !== 200) {
    await response.body.dump();
    throw new TaipanError('INVALID_ARGUMENT', `cannot read '${source}': HTTP ${response.status}`, { hint: 'check the URL of the file' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_REMOTE_BYTES) {
        response.body.destroy();
        throw new TaipanError('INVALID_ARGUMENT', `'${source}' is larger than ${MAX_REMOTE_BYTES / 1024 / 1024} MiB: not an environment, spec or lock file`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof TaipanError) throw error;
    throw new TaipanError('DOWNLOAD_FAILED', `cannot read '${source}': the transfer broke off (${client.redact((error as Error).message)})`, { cause: error, hint: 'try again' });
  }
  return { text: Buffer.concat(chunks).toString('utf8'), source, remote: true, fileName };
}
