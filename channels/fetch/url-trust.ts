/**
 * What a location read from the network may point at. A channel served over http(s), and a
 * lock or @EXPLICIT file downloaded from an http(s) URL, are written by someone else: the
 * URLs they name (CEP-15 `info.base_url`, CEP-16 `shards_base_url`, lock-file `url`s,
 * explicit lines) may lead only to other http(s) URLs. Were a `file:` URL or a local path
 * accepted, the server could make taipan copy any file of this machine (`/etc/passwd`,
 * an SSH key) into the package cache and print what it learnt about it. Locations the
 * user chose (a local channel, a lock file on disk) may still point at local files.
 *
 * Another http(s) host is fine: CDNs and mirrors serve packages from elsewhere, and conda
 * and rattler follow such a base_url. An https source naming a plain http URL is refused
 * all the same, although conda and rattler follow it: the user chose a channel whose
 * traffic is private and tamper-proof, a downgrade would send a credential kept for a
 * bare host (the credentials file's `host: {BearerToken}`) in clear text and would leave
 * any record without a hash open to whoever sits on the path. No real channel needs it;
 * one that serves over plain http can be named by its http URL, and a lock file can be
 * downloaded and used from disk.
 */
import { redactUrl } from '../model/channel.js';
import { TaipanError } from '../model/errors.js';

/** True for an `http:` or `https:` URL, the only kinds fetched over the network. */
export function isRemoteUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** What refers to the location, for the message: `channel 'https://h/c'`, `lock file 'https://h/x.lock'`. */
export interface Referrer {
  /** The URL of the channel or file (credentials are masked before it is printed). */
  readonly url: string;
  /** What it is: `channel`, `lock file`, `@EXPLICIT file`, `environment file`. */
  readonly kind: string;
}

/**
 * Throws UNSAFE_URL when `target`, named by `field` of something read from `referrer`,
 * may not be followed: a remote referrer may name only http(s) URLs, and an https one only
 * https URLs. Anything named by a local referrer is allowed.
 */
export function checkReferencedUrl(referrer: Referrer, field: string, target: string): void {
  if (!isRemoteUrl(referrer.url)) return;
  const downgrade = /^https:/i.test(referrer.url) && /^http:/i.test(target);
  if (isRemoteUrl(target) && !downgrade) return;
  const where = `${referrer.kind} '${redactUrl(referrer.url)}'`;
  throw new TaipanError(
    'UNSAFE_URL',
    downgrade
      ? `${where} sets ${field} to '${redactUrl(target)}', a plain http URL under an https ${referrer.kind}: refused`
      : `${where} sets ${field} to '${redactUrl(target)}', which is not an http(s) URL: a ${referrer.kind} read from the network may not point at local files`,
    {
      hint: downgrade
        ? `taipan does not leave https for plain http; if the ${referrer.kind} is meant to be used over http, name it by its http:// URL`
        : `nothing was read from '${redactUrl(target)}'; the ${referrer.kind} is broken or hostile. A ${referrer.kind} on this machine may name local files`,
    },
  );
}
