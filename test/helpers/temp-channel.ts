/**
 * The setup most end-to-end files share: a fresh folder holding a channel the file fills,
 * and the environment variables that keep the package cache and named environments inside
 * it. Registered with jest's beforeAll/afterAll at the call, so a file states only what is
 * its own: how the channel is made.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TempChannel {
  /** The folder holding everything; removed after the file's tests. */
  readonly work: string;
  /** `<work>/<channel name>`, filled by the file's `fill`. */
  readonly channel: string;
  /** TAIPAN_PKGS_DIRS and TAIPAN_ENVS_DIRS under `work`, for the CLI runs. */
  readonly env: NodeJS.ProcessEnv;
  /** The prefix of the named environment `name`. */
  prefixOf(name: string): string;
}

export interface TempChannelOptions {
  /** The channel folder's name (default `channel`; a name with a space tests quoting). */
  readonly channelName?: string;
  /** Called once the channel is filled, for files that keep the values in their own variables. */
  readonly ready?: (world: { work: string; channel: string; env: NodeJS.ProcessEnv }) => void;
}

/** Set up (before all tests of the file) a temporary channel filled by `fill`. */
export function useTempChannel(label: string, fill: (channel: string, work: string) => Promise<void>, options: TempChannelOptions = {}): TempChannel {
  let work = '';
  const world: TempChannel = {
    get work() {
      return work;
    },
    get channel() {
      return path.join(work, options.channelName ?? 'channel');
    },
    get env() {
      return { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'), TAIPAN_ENVS_DIRS: path.join(work, 'envs') };
    },
    prefixOf: (name) => path.join(work, 'envs', name),
  };
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), `taipan-${label}-`));
    await fill(world.channel, work);
    options.ready?.({ work, channel: world.channel, env: world.env });
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });
  return world;
}
