/**
 * The recipe-driven builder: from a rendered recipe output (recipes/stage1.ts) to a tested
 * conda package in an indexed output channel.
 */
export { buildOutput, hostPrefixPath, HOST_PREFIX_LENGTH, type BuildOptions, type BuildResult, type PackageFormat } from './build-output.js';
export { buildOutputs, orderOutputs } from './build-outputs.js';
export { exportedRequirements, mergeRequirements, strongBuildExports, type IgnoreRunExports } from './run-exports.js';
export { fetchSources } from './sources/fetch-sources.js';
export { PREFIX_PLACEHOLDER, stagePackage, type PackageMetadata, type StageOptions } from './stage-package.js';
