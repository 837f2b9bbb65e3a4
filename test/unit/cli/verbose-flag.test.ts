import { extractVerbose } from '../../../cli/verbose-flag.js';

describe('extractVerbose', () => {
  test('-v anywhere outside `run` turns on verbose output', () => {
    expect(extractVerbose(['node', 't', 'create', '-p', 'x', '-v', 'zlib'])).toEqual({ argv: ['node', 't', 'create', '-p', 'x', 'zlib'], verbose: true });
    expect(extractVerbose(['node', 't', '--verbose', 'list'])).toEqual({ argv: ['node', 't', 'list'], verbose: true });
  });
  test('the command that `run` runs keeps its own -v', () => {
    expect(extractVerbose(['node', 't', 'run', '-v', '-n', 'e', 'python', '-v'])).toEqual({ argv: ['node', 't', 'run', '-n', 'e', 'python', '-v'], verbose: true });
    expect(extractVerbose(['node', 't', 'run', '-p', '/e', 'ls', '-v', '--verbose'])).toEqual({ argv: ['node', 't', 'run', '-p', '/e', 'ls', '-v', '--verbose'], verbose: false });
  });
});
