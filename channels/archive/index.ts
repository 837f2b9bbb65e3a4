/**
 * Conda package archives (`.conda` and `.tar.bz2`): streaming readers, safe extraction,
 * `info/` metadata readers and deterministic writers.
 */
export { archiveFormat, archiveStem, detectArchiveFormat, type ArchiveFormat } from './format.js';
export { hashFile, HashingStream, type FileHashes } from './hash.js';
export { extractPackage, type ExtractOptions, type ExtractResult } from './extract.js';
export { fileMode, type ExtractedEntry, type ExtractedType } from './safe-tree-writer.js';
export { forEachPackageEntry, type PackageEntryOptions, type PackageEntryVisitor, type CondaComponent, type SkippedEntry, type VisitResult } from './package-entries.js';
export { openConda, type CondaArchive } from './read-conda.js';
export { openTarBz2 } from './read-tar-bz2.js';
export {
  readAboutJson,
  readIndexJson,
  readLinkJson,
  readPackageMetadata,
  readPathsJson,
  readRunExportsJson,
} from './package-metadata.js';
export { readArchiveIndexJson, readArchiveInfoFiles, readArchiveMetadata, readArchivePathsJson } from './archive-metadata.js';
export {
  LEGACY_PREFIX_PLACEHOLDER,
  legacyPathsJson,
  parseAboutJson,
  parseHasPrefix,
  parseIndexJson,
  parseLinkJson,
  parsePathsJson,
  parseRunExportsJson,
} from './metadata-parse.js';
export type {
  AboutJson,
  FileMode,
  HasPrefixEntry,
  IndexJson,
  LinkJson,
  PackageMetadata,
  PathsEntry,
  PathsJson,
  PathType,
  RunExportsJson,
} from './metadata-types.js';
export { writeCondaPackage, type WriteCondaOptions } from './write-conda.js';
export { writeTarBz2Package, type WriteTarBz2Options } from './write-tar-bz2.js';
export { listPackageFiles, type PackageFileList, type WriteCommonOptions } from './tar-pack.js';
export { zstdCompressChecked } from './zstd-compress.js';
export { bzip2CompressFile } from './bzip2-compress.js';
