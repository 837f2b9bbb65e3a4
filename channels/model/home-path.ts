/**
 * `~` in a path a user wrote (config files, -c, --prefix given through a variable): the
 * home folder for `~` alone or `~/…` (`~\…` on Windows), as Python's expanduser reads the
 * current user's. `~name` is another user's home, which taipan does not look up: kept as is.
 */
import os from 'node:os';
import path from 'node:path';

export function expandUser(text: string, home: string = os.homedir()): string {
  if (text === '~') return home;
  if (text.startsWith('~/') || text.startsWith(`~${path.sep}`)) return path.join(home, text.slice(2));
  return text;
}
