/**
 * Corpus renders where conda-build itself is wrong, each with the reason. A listed render is
 * still compared field by field; only the one mistake named is tolerated, and it is reported
 * as "except" (not "agree").
 */
import type { CorpusException } from './corpus-compare.js';

const FIRST_VARIANT_UNPINNED =
  "conda-build renders the first variant of these recipes from the recipe's own metadata object, which never goes through insert_variant_versions: its bare build/host names that are variant keys (python, numpy, llvm-openmp) stay bare, while every other variant of the same recipe gets them completed (python 3.11.* *_cpython). The result depends on which variant conda-build happens to render first; taipan completes them in every variant.";

export const CORPUS_EXCEPTIONS: readonly CorpusException[] = [
  { feedstock: 'astropy-feedstock', reason: FIRST_VARIANT_UNPINNED, bareVariantNames: true },
  { feedstock: 'numpy-feedstock', reason: FIRST_VARIANT_UNPINNED, bareVariantNames: true },
  { feedstock: 'pywavelets-feedstock', reason: FIRST_VARIANT_UNPINNED, bareVariantNames: true },
  { feedstock: 'scikit-learn-feedstock', reason: FIRST_VARIANT_UNPINNED, bareVariantNames: true },
];
