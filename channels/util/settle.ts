/**
 * Like Promise.all, but it waits for every promise before rejecting with the first
 * failure, so no fetch or write is still running (and writing into a cache folder) after
 * the caller has been told the operation failed.
 */
export async function allSettledOrThrow<T>(promises: Iterable<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
