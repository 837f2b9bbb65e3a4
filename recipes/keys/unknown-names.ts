/**
 * Names a selector (`# [linnux]`) or an `if:` condition reads that nothing defines: not a
 * platform name, not a key of the variant config, not a context or environment variable.
 * Both conda-build and rattler-build read such a name as false without a word, so a
 * typo silently drops lines; taipan warns when a known name is close (`linnux` → `linux`).
 * A name close to nothing is most often a variant key this platform's config lacks
 * (conda-forge's `vc` is set for win only, and `win and vc<14` reads it on linux): both
 * tools read it as false by design, so it passes without a word.
 */
import type { SourceLocation } from '../errors.js';
import type { RecipeWarning } from '../format-context.js';
import { didYouMean } from '../../channels/model/suggest.js';

export interface UnknownName {
  readonly name: string;
  /** The selector as written, or the condition with its key (`if: linnux`, `skip: winn`). */
  readonly expression: string;
  readonly loc: SourceLocation;
}

/** The warning for `unknown` when one of `candidates` is close to it, else undefined. */
export function unknownNameWarning(unknown: UnknownName, format: 'meta.yaml' | 'recipe.yaml', candidates: Iterable<string>): RecipeWarning | undefined {
  const suggestion = didYouMean(unknown.name, candidates);
  if (suggestion === '') return undefined;
  const where = format === 'meta.yaml' ? `selector [${unknown.expression}]` : `condition '${unknown.expression}'`;
  return {
    loc: unknown.loc,
    message: `unknown name '${unknown.name}' in ${where} is read as false${suggestion}`,
    hint: `${format === 'meta.yaml' ? 'selectors' : 'conditions'} read platform names (linux, osx, win, unix, x86_64, ...), the variant config's keys and ${format === 'meta.yaml' ? 'environment' : 'context'} variables`,
  };
}
