/** conda MatchSpec: parse, format and match package queries. */
export { MatchSpec, type MatchSpecFieldName } from './match-spec.js';
export { BuildNumberSpec } from './build-number.js';
export { specPackageName } from './spec-name.js';
export type { MatchSpecFields, MatchSpecParseOptions } from './parse.js';
export type { RecordPredicate } from './matcher.js';
