/**
 * Match specs that need care in a conda-meta/history specs list (a Python literal): quotes
 * of both kinds, brackets, commas, channel URLs with spaces. Each is a valid match spec,
 * so a history keeps it.
 */
export const HARD_MATCH_SPECS: readonly string[] = [
  "numpy[version='>=1.20']",
  'pkg[version=">=1,<2"]',
  `pkg[build="a'b"]`,
  "taipan-greetings==2.0.0=0[channel='file:///tmp/my%20chan']",
  "x==1=0[channel='file:///tmp/my chan/with spaces']",
  'conda-forge/linux-64::zlib>=1.2,<2',
  `p[version='>=1', build="py*"]`,
  'c[license="MIT, Apache"]',
  'python 2.7*',
  'python_abi[build=*_cp313t]',
];
