/** Channel labels for tables and messages: short, and never a credential. */
import { channelLabel } from '../../../../channels/model/channel-label.js';

describe('channelLabel', () => {
  test.each([
    ['conda-forge', 'conda-forge'],
    ['https://conda.anaconda.org/conda-forge/linux-64', 'conda-forge'],
    ['https://repo.anaconda.com/pkgs/main', 'defaults'],
    ['https://repo.anaconda.com/pkgs/r/noarch', 'defaults'],
    ['https://repo.anaconda.com/pkgs/msys2', 'defaults'],
    ['https://repo.anaconda.com/pkgs/free', 'pkgs/free'],
    ['file:///srv/channels/my-chan', 'my-chan'],
    ['https://user:s3cret@example.com/private/chan', 'private/chan'],
    ['https://example.com/t/tk-123456/private/chan/noarch', 'private/chan'],
    ['https://example.com', 'example.com'],
  ])('%s -> %s', (channel, label) => {
    expect(channelLabel(channel)).toBe(label);
    expect(channelLabel(channel)).not.toMatch(/s3cret|tk-123456/);
  });
});
