/**
 * Corpus renders where conda-build itself is wrong, each with the reason. A listed render
 * still runs and is reported; it counts as agreeing only because of the reason given here.
 */
import type { CorpusException } from './corpus-compare.js';

export const CORPUS_EXCEPTIONS: readonly CorpusException[] = [];
