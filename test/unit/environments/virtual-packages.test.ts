/**
 * Virtual packages of the running machine: glibc as libc.so announces it (read through the
 * process's memory map) must agree with what Node's diagnostic report says; overrides set
 * or drop it.
 */
import { detectGlibc, detectVirtualPackages } from '../../../environments/virtual-packages.js';

const onGlibcLinux = process.platform === 'linux' && Boolean((process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);

describe('virtual packages', () => {
  (onGlibcLinux ? test : test.skip)('__glibc is the version Node reports for this process', () => {
    const reported = (process.report.getReport() as { header: { glibcVersionRuntime: string } }).header.glibcVersionRuntime;
    expect(detectGlibc()).toBe(reported);
    expect(detectVirtualPackages('linux-64', {}).find((p) => p.name === '__glibc')?.version).toBe(reported);
  });

  test('CONDA_OVERRIDE_GLIBC sets it, and empty drops it', () => {
    expect(detectVirtualPackages('linux-64', { CONDA_OVERRIDE_GLIBC: '2.17' }).find((p) => p.name === '__glibc')?.version).toBe('2.17');
    expect(detectVirtualPackages('linux-64', { CONDA_OVERRIDE_GLIBC: '' }).find((p) => p.name === '__glibc')).toBeUndefined();
  });

});
