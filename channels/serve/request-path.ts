/**
 * The names a request asks for under the served folder, read from the raw request target
 * (never from `new URL`, which turns `%2e%2e` and `\` into steps of the path before anyone
 * can look at them). The path is split on `/` first and each piece decoded once after, so
 * `%2f` never becomes a separator, `%252e` never becomes `.`, and a piece that decodes to
 * `.`, `..`, a separator (`/`, `\`), NUL or another control character refuses the request.
 */

/** The decoded names of the path, or undefined when the target cannot be a file under the folder. */
export function requestSegments(target: string): string[] | undefined {
  // The absolute form (`GET http://host/path`, as sent to a proxy): only its path counts.
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target)?.[0] ?? '';
  const pathAndQuery = target.slice(origin.length) || '/';
  if (!pathAndQuery.startsWith('/')) return undefined;
  const names: string[] = [];
  for (const piece of pathAndQuery.replace(/[?#][^]*$/, '').split('/')) {
    if (piece === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(piece);
    } catch {
      return undefined;
    }
    if (name === '.' || name === '..' || /[/\\\u0000-\u001f\u007f]/.test(name)) return undefined;
    names.push(name);
  }
  return names;
}

/** The path part of a request target, as the request log shows it (query and origin left out). */
export function requestPathForLog(target: string): string {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target)?.[0] ?? '';
  return (target.slice(origin.length) || '/').replace(/[?#][^]*$/, '');
}
