/**
 * taipan's public library API: the conda data model, package archives, and the stages
 * of an install, for our own tests and for anyone embedding taipan.
 */
export { TaipanError, isTaipanError, type TaipanErrorCode } from './channels/model/errors.js';
export { Version } from './channels/model/version.js';
export { VersionSpec } from './channels/model/version-spec.js';
export { MatchSpec } from './channels/model/match-spec/index.js';
export type { PackageRecord, RepoDataRecord, NoarchType } from './channels/model/package-record.js';
export { KNOWN_PLATFORMS, currentPlatform, isPlatform, parsePlatform, type Platform } from './channels/model/platform.js';
export { Channel, DEFAULT_CHANNEL_ALIAS, redactUrl } from './channels/model/channel.js';
export { ChannelIndex } from './channels/repodata/channel-index.js';
export { recordsFromRepodata, type RepodataJson } from './channels/repodata/records.js';
export * as archive from './channels/archive/index.js';
export { solve } from './solver/index.js';
export { PackageCache } from './environments/package-cache/package-cache.js';
export { solveInstall, solveRemove } from './environments/solve-request.js';
export { executeTransaction } from './environments/transaction/execute.js';
export { planTransaction } from './environments/transaction/plan.js';
export { readPrefixRecords, type PrefixRecord } from './environments/prefix/prefix-record.js';
export { Prefix } from './environments/prefix/prefix.js';
