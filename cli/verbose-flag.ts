/**
 * `-v/--verbose` is accepted anywhere on the command line, as in conda, except inside the
 * command that `taipan run` runs (`taipan run -n env python -v` passes -v to python).
 */
const VERBOSE = new Set(['-v', '--verbose']);
const RUN_OPTIONS_WITH_VALUE = new Set(['-n', '--name', '-p', '--prefix']);

export function extractVerbose(argv: readonly string[]): { argv: string[]; verbose: boolean } {
  const [node = 'node', script = 'taipan', ...rest] = argv;
  const out: string[] = [];
  let verbose = false;
  let inRun = false;
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] as string;
    if (inRun) {
      if (VERBOSE.has(token)) {
        verbose = true;
        continue;
      }
      out.push(token);
      if (RUN_OPTIONS_WITH_VALUE.has(token) && i + 1 < rest.length) out.push(rest[++i] as string);
      else if (token === '--' || !token.startsWith('-')) {
        out.push(...rest.slice(i + 1));
        break;
      }
      continue;
    }
    if (VERBOSE.has(token)) {
      verbose = true;
      continue;
    }
    out.push(token);
    if (token === 'run' && out.length === 1) inRun = true;
  }
  return { argv: [node, script, ...out], verbose };
}
