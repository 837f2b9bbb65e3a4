import path from 'node:path';
import { Channel, redactUrl } from '../../../../channels/model/channel.js';
import { currentPlatform, parsePlatform } from '../../../../channels/model/platform.js';
import { isTaipanError } from '../../../../channels/model/errors.js';

describe('Channel', () => {
  test('a short name resolves against the channel alias and keeps its name', () => {
    const c = Channel.parse('conda-forge');
    expect(c.baseUrl).toBe('https://conda.anaconda.org/conda-forge');
    expect(c.name).toBe('conda-forge');
    expect(c.subdirUrl('linux-64')).toBe('https://conda.anaconda.org/conda-forge/linux-64');
  });

  test('a URL under the alias gets its short name back; labels stay in the name', () => {
    expect(Channel.parse('https://conda.anaconda.org/conda-forge/').name).toBe('conda-forge');
    expect(Channel.parse('conda-forge/label/dev').baseUrl).toBe('https://conda.anaconda.org/conda-forge/label/dev');
  });

  test('a configured channel_alias is used', () => {
    expect(Channel.parse('bioconda', { channelAlias: 'https://mirror.example/conda/' }).baseUrl).toBe('https://mirror.example/conda/bioconda');
  });

  test('a trailing platform is split off', () => {
    const c = Channel.parse('conda-forge/linux-64');
    expect(c.platform).toBe('linux-64');
    expect(c.name).toBe('conda-forge');
  });

  test('paths become file:// URLs', () => {
    const c = Channel.parse('./chan', { cwd: '/srv/data' });
    expect(c.baseUrl).toBe('file:///srv/data/chan');
    expect(c.localPath()).toBe(path.resolve('/srv/data/chan'));
    expect(Channel.parse('file:///srv/chan/').baseUrl).toBe('file:///srv/chan');
  });

  test('credentials never reach the base URL', () => {
    expect(Channel.parse('https://user:secret@host.example/t/tk-123/chan').baseUrl).toBe('https://host.example/chan');
    expect(redactUrl('https://u:p@h.example/x')).toBe('https://h.example/x');
  });

  test('a malformed name is refused with the text quoted', () => {
    try {
      Channel.parse('bad name!');
      throw new Error('expected an error');
    } catch (error) {
      expect(isTaipanError(error) && error.code).toBe('INVALID_CHANNEL');
      expect((error as Error).message).toContain("'bad name!'");
    }
  });
});

describe('Platform', () => {
  test('the running platform is a known conda subdir', () => {
    expect(parsePlatform(currentPlatform())).toBe(currentPlatform());
    expect(currentPlatform({ CONDA_SUBDIR: 'osx-arm64' })).toBe('osx-arm64');
  });

  test('unknown platforms are refused', () => {
    expect(() => parsePlatform('linux-65')).toThrow(/unknown platform 'linux-65'/);
  });
});

describe('custom channels', () => {
  test('a name under custom_channels resolves to its own base URL and keeps its name', () => {
    const c = Channel.parse('internal/label/dev', { customChannels: { internal: 'https://conda.corp.example/repo/' } });
    expect(c.baseUrl).toBe('https://conda.corp.example/repo/internal/label/dev');
    expect(c.name).toBe('internal/label/dev');
    expect(Channel.parse('conda-forge', { customChannels: { internal: 'https://x' } }).baseUrl).toBe('https://conda.anaconda.org/conda-forge');
  });
});
