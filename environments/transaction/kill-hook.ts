/**
 * A test-only crash switch: with `TAIPAN_TEST_KILL_AFTER=<n>` in the environment, the
 * process SIGKILLs itself right after its n-th file operation in a prefix. Tests use it to
 * prove that the next run repairs a transaction interrupted at any point; SIGKILL (not an
 * exception) because nothing, not even a `finally`, may run after it.
 */
let operations = 0;

/** Count one completed file operation; dies here when the configured count is reached. */
export function countFileOperation(env: NodeJS.ProcessEnv = process.env): void {
  const limit = env.TAIPAN_TEST_KILL_AFTER;
  if (limit === undefined || limit === '') return;
  operations++;
  if (operations === Number(limit)) process.kill(process.pid, 'SIGKILL');
}

/** How many file operations this process made so far (for tests that size their kill loop). */
export function fileOperationCount(): number {
  return operations;
}
