/**
 * A conda channel: what a user writes (`conda-forge`, `conda-forge/label/dev`,
 * `https://host/path`, `file:///srv/chan`, `./local-chan`, `C:\chan`) resolved to a base URL.
 * Names resolve against `channel_alias` as conda does; a URL under the alias gets its short
 * name back, so `https://conda.anaconda.org/conda-forge` and `conda-forge` are one channel.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { TaipanError } from './errors.js';
import { expandUser } from './home-path.js';
import { isPlatform, type Platform } from './platform.js';

export const DEFAULT_CHANNEL_ALIAS = 'https://conda.anaconda.org';

export interface ChannelConfig {
  /** Base URL that short channel names resolve against. */
  channelAlias?: string;
  /** Folder relative paths resolve against (the working directory by default). */
  cwd?: string;
  /** conda's `custom_channels`: a channel name that lives under its own base URL. */
  customChannels?: Readonly<Record<string, string>>;
}

export class Channel {
  /** The canonical name: the short name for channels under the alias, else the base URL. */
  readonly name: string;
  /** Base URL without a trailing slash and without a credential. */
  readonly baseUrl: string;
  /** A platform named in the channel string itself (`conda-forge/linux-64`). */
  readonly platform: Platform | undefined;

  private constructor(name: string, baseUrl: string, platform: Platform | undefined) {
    this.name = name;
    this.baseUrl = baseUrl;
    this.platform = platform;
    Object.freeze(this);
  }

  /** Parse what a user wrote for a channel. */
  static parse(input: string, config: ChannelConfig = {}): Channel {
    const text = input.trim();
    if (text === '') throw new TaipanError('INVALID_CHANNEL', 'empty channel name', { hint: 'give a channel name, URL or folder' });
    const alias = stripSlashes(config.channelAlias ?? DEFAULT_CHANNEL_ALIAS);

    let url: string;
    // The base URL a short name was resolved against, so the name can be recovered.
    let nameBase = alias;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
      url = text;
    } else if (isPathLike(text)) {
      const expanded = expandUser(text);
      url = pathToFileURL(path.resolve(config.cwd ?? process.cwd(), expanded)).href;
    } else {
      if (!/^[A-Za-z0-9_.\-/]+$/.test(text)) {
        throw new TaipanError('INVALID_CHANNEL', `invalid channel name '${input}'`, {
          hint: 'a channel is a name such as conda-forge, a URL, or a path to a folder',
        });
      }
      const first = stripSlashes(text).split('/')[0] as string;
      const custom = config.customChannels?.[first];
      if (custom) nameBase = stripSlashes(custom);
      url = `${nameBase}/${stripSlashes(text)}`;
    }

    let base = stripSlashes(redactUrl(url));
    let platform: Platform | undefined;
    const last = base.slice(base.lastIndexOf('/') + 1);
    if (isPlatform(last)) {
      platform = last;
      base = base.slice(0, base.lastIndexOf('/'));
    }
    const name = base.startsWith(`${nameBase}/`) ? base.slice(nameBase.length + 1) : base.startsWith(`${alias}/`) ? base.slice(alias.length + 1) : base;
    return new Channel(name, base, platform);
  }

  /** URL of a subdir of this channel (`<base>/<subdir>`), as conda-meta records `channel`. */
  subdirUrl(subdir: string): string {
    return `${this.baseUrl}/${subdir}`;
  }

  /** The local folder for a `file://` channel, else undefined. */
  localPath(): string | undefined {
    return this.baseUrl.startsWith('file://') ? fileURLToPath(this.baseUrl) : undefined;
  }

  toString(): string {
    return this.name;
  }
}

function stripSlashes(text: string): string {
  return text.replace(/\/+$/, '');
}

function isPathLike(text: string): boolean {
  return (
    text.startsWith('/') ||
    text.startsWith('./') ||
    text.startsWith('../') ||
    text === '.' ||
    text === '..' ||
    text.startsWith('~') ||
    /^[A-Za-z]:[\\/]/.test(text) ||
    text.startsWith('\\\\')
  );
}

/**
 * The URL with every credential removed: user info (`user:pass@`) and anaconda.org style
 * tokens (`/t/<token>/`). Used for everything that is printed, logged or written to disk.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1').replace(/\/t\/[^/]+/g, '');
}
