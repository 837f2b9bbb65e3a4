/**
 * Which URLs a channel or a file read from the network may name (channels/fetch/url-trust.ts),
 * and the same rule applied where repodata becomes records (CEP-15 base_url).
 */
import { Channel } from '../../../../channels/model/channel.js';
import { isTaipanError, type TaipanError } from '../../../../channels/model/errors.js';
import { checkReferencedUrl } from '../../../../channels/fetch/url-trust.js';
import { recordsFromRepodata } from '../../../../channels/repodata/records.js';

function refusal(run: () => void): TaipanError | undefined {
  try {
    run();
  } catch (error) {
    if (isTaipanError(error)) return error;
    throw error;
  }
  return undefined;
}

const REMOTE = { url: 'https://user:pw@repo.example/t/tk-123/chan', kind: 'channel' };

test.each([
  'file:///etc/',
  'FILE:///etc/passwd',
  'file:/etc/passwd',
  '/etc/passwd',
  '../outside/pkg.conda',
  'ftp://host/pkg.conda',
  's3://bucket/pkg.conda',
  'data:,x',
  'jar:file:///x.jar!/',
  'C:\\Users\\me\\pkg.conda',
])('a remote channel may not name %s', (target) => {
  const error = refusal(() => checkReferencedUrl(REMOTE, 'info.base_url', target));
  expect(error?.code).toBe('UNSAFE_URL');
  expect(error?.message).toContain("channel 'https://repo.example/chan'");
  expect(error?.message).not.toMatch(/pw|tk-123/);
});

test('https may not lead to plain http, on any host; credentials in either URL are masked', () => {
  const error = refusal(() => checkReferencedUrl(REMOTE, 'info.base_url', 'http://u:secret@repo.example/chan/noarch'));
  expect(error?.code).toBe('UNSAFE_URL');
  expect(error?.message).toContain("'http://repo.example/chan/noarch'");
  expect(error?.message).not.toContain('secret');
  expect(error?.hint).toMatch(/http:\/\/ URL/);
});

test.each([
  ['https://repo.example/chan', 'https://cdn.example/pkgs/'],
  ['http://repo.example/chan', 'http://other.example/pkgs/'],
  ['http://repo.example/chan', 'https://cdn.example/pkgs/'],
  ['HTTPS://repo.example/chan', 'https://cdn.example/pkgs/'],
])('%s may name %s (another host, same or better transport)', (url, target) => {
  expect(refusal(() => checkReferencedUrl({ url, kind: 'channel' }, 'info.base_url', target))).toBeUndefined();
});

test.each(['file:///home/me/channel', '/home/me/conda-lock.yml', 'conda-lock.yml'])('what %s (chosen by the user, on this machine) names is not checked', (url) => {
  expect(refusal(() => checkReferencedUrl({ url, kind: 'lock file' }, 'url', 'file:///somewhere/pkg.conda'))).toBeUndefined();
});

describe('records of a remote channel', () => {
  const repodata = (baseUrl: string): Parameters<typeof recordsFromRepodata>[0] => ({
    info: { subdir: 'noarch', base_url: baseUrl },
    'packages.conda': { 'a-1-0.conda': { name: 'a', version: '1', build: '0', build_number: 0, depends: [], url: 'file:///etc/passwd' } },
  });

  test('a file: base_url is refused before any record exists', () => {
    const error = refusal(() => recordsFromRepodata(repodata('file:///etc/passwd?'), Channel.parse('http://127.0.0.1:8000/chan'), 'noarch', 'repodata.json'));
    expect(error?.code).toBe('UNSAFE_URL');
    expect(error?.message).toContain("'file:///etc/passwd?'");
  });

  test('a relative base_url stays on the server, and a record\'s own url key is not used', () => {
    const [record] = recordsFromRepodata(repodata('../../mirror/noarch/'), Channel.parse('http://127.0.0.1:8000/org/chan'), 'noarch', 'repodata.json');
    expect(record?.url).toBe('http://127.0.0.1:8000/org/mirror/noarch/a-1-0.conda');
  });

  test('a local channel may point its base_url at local files', () => {
    const [record] = recordsFromRepodata(repodata('file:///srv/packages/'), Channel.parse('file:///srv/chan'), 'noarch', 'repodata.json');
    expect(record?.url).toBe('file:///srv/packages/a-1-0.conda');
  });
});
