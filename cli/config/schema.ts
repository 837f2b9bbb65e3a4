/**
 * The settings taipan reads, with conda's names, types and meanings, so `config --describe`
 * can explain them and `config --set` can refuse a value of the wrong kind.
 */
/** `boolean-or-string`: true/false or a text, as conda's ssl_verify (a boolean or a CA bundle path). */
export type SettingKind = 'list' | 'string' | 'boolean' | 'number' | 'map' | 'string-map' | 'boolean-or-string';

export interface SettingDescription {
  readonly kind: SettingKind;
  readonly description: string;
  /** The only values a string setting may take. */
  readonly choices?: readonly string[];
}

export const SETTINGS = {
  channels: { kind: 'list', description: 'channels to read when no -c is given, highest priority first' },
  channel_alias: { kind: 'string', description: 'base URL that short channel names resolve against (default https://conda.anaconda.org)' },
  channel_priority: { kind: 'string', description: 'strict (default), flexible or disabled', choices: ['strict', 'flexible', 'disabled'] },
  pkgs_dirs: { kind: 'list', description: 'package cache folders; the first writable one receives new packages' },
  envs_dirs: { kind: 'list', description: 'folders holding named environments (-n NAME)' },
  always_copy: { kind: 'boolean', description: 'copy files into environments instead of hard-linking them' },
  allow_softlinks: { kind: 'boolean', description: 'allow symlinks to the package cache where hard links fail' },
  local_repodata_ttl: { kind: 'number', description: 'seconds a cached repodata.json is used without asking the server' },
  pinned_packages: { kind: 'list', description: 'specs every solve must respect, as conda-meta/pinned' },
  add_pip_as_python_dependency: { kind: 'boolean', description: 'make python pull pip, as conda and mamba do' },
  mirrors: { kind: 'map', description: 'channel URL → list of mirror base URLs, tried in order (as pixi)' },
  fetch_threads: { kind: 'number', description: 'package downloads running at once (default 4)' },
  remote_connect_timeout_secs: { kind: 'number', description: 'seconds to wait for a connection to a server (default 30)' },
  remote_read_timeout_secs: { kind: 'number', description: 'seconds to wait for response headers and for each piece of a body (default 60)' },
  remote_max_retries: { kind: 'number', description: 'retries after a failed request (5xx, 429, a dropped connection); default 3' },
  remote_backoff_factor: { kind: 'number', description: 'seconds before the first retry, doubled for each next one (default 0.5)' },
  allow_unhashed_packages: { kind: 'boolean', description: 'download packages whose record has neither a sha256 nor an md5 from http(s) channels and files (refused by default: nothing could check them)' },
  offline: { kind: 'boolean', description: 'never use the network: cached repodata and packages only' },
  solver: { kind: 'string', description: 'cdcl (default) or logic-solver', choices: ['cdcl', 'logic-solver'] },
  default_channels: { kind: 'list', description: "what the 'defaults' channel stands for (default: repo.anaconda.com pkgs/main and pkgs/r)" },
  custom_channels: { kind: 'string-map', description: 'channel name → base URL it lives under, instead of channel_alias' },
  ssl_verify: {
    kind: 'boolean-or-string',
    description:
      'check server certificates: true (default; against REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or SSL_CERT_FILE when set, else the built-in CAs), false (do not check; unsafe, warns), or the path of a PEM CA bundle to check against',
  },
  client_ssl_cert: { kind: 'string', description: 'PEM client certificate to show servers that ask for one (may hold the key too)' },
  client_ssl_cert_key: { kind: 'string', description: 'PEM private key of client_ssl_cert, when it is in a file of its own' },
  proxy_servers: {
    kind: 'string-map',
    description:
      'proxies by scheme, {http: URL, https: URL}; a URL may carry user:password (never printed). Over HTTP_PROXY/HTTPS_PROXY; NO_PROXY lists hosts that go direct. https requests without an https proxy use the http one',
  },
  default_environment: {
    kind: 'string',
    description: 'the environment (name, or folder path) that commands act on when no -n/-p is given and none is active; unset: such commands stop and say how to choose one',
  },
  changeps1: { kind: 'boolean', description: "put '(env) ' before the shell prompt while an environment is active (default true)" },
} as const satisfies Record<string, SettingDescription>;

export type SettingName = keyof typeof SETTINGS;

export function isSettingName(name: string): name is SettingName {
  return Object.prototype.hasOwnProperty.call(SETTINGS, name);
}
