import { entryPointLauncher, entryPointLauncherPath, entryPointPath, entryPointScript, parseEntryPoint } from '../../../../environments/link/entry-points.js';
import { pycPath, pythonInfo, noarchPythonTarget } from '../../../../environments/link/noarch-python.js';
import type { RepoDataRecord } from '../../../../channels/model/package-record.js';

const pythonRecord: RepoDataRecord = {
  name: 'python', version: '3.11.7', build: '0', build_number: 0, depends: [], fn: 'python-3.11.7-0.conda', url: 'file:///c/python-3.11.7-0.conda', channel: 'file:///c',
};
const py = pythonInfo([pythonRecord], false)!;

describe('entry points', () => {
  test('parse conda link.json lines, with extras and dotted functions', () => {
    expect(parseEntryPoint('pip = pip._internal.cli.main:main', 'pip')).toEqual({ name: 'pip', module: 'pip._internal.cli.main', func: 'main' });
    expect(parseEntryPoint('tool=pkg.mod:Cls.run [extra]', 'x')).toEqual({ name: 'tool', module: 'pkg.mod', func: 'Cls.run' });
    expect(() => parseEntryPoint('no-colon = module', 'bad')).toThrow(/'no-colon = module' of 'bad' is not 'name = module:function'/);
    expect(() => parseEntryPoint('../evil = m:f', 'bad')).toThrow(/not 'name = module:function'/);
  });

  test('the script names the environment python and imports the first part of the function', () => {
    const text = entryPointScript('/envs/e', py, parseEntryPoint('tool = pkg.mod:Cls.run', 'x')).toString();
    expect(text.split('\n')[0]).toBe('#!/envs/e/bin/python3.11');
    expect(text).toContain('from pkg.mod import Cls\n');
    expect(text).toContain('sys.exit(Cls.run())');
    expect(entryPointPath(py, parseEntryPoint('tool = m:f', 'x'))).toBe('bin/tool');
  });

  test('a long or spaced prefix gets an env shebang', () => {
    const ep = parseEntryPoint('tool = m:f', 'x');
    expect(entryPointScript('/my envs/e', py, ep).toString().split('\n')[0]).toBe('#!/usr/bin/env python3.11');
    expect(entryPointScript(`/${'z'.repeat(130)}`, py, ep).toString().split('\n')[0]).toBe('#!/usr/bin/env python3.11');
  });

  test('Windows: Scripts/<name>-script.py without a shebang', () => {
    const win = pythonInfo([pythonRecord], true)!;
    const ep = parseEntryPoint('tool = m:f', 'x');
    expect(entryPointPath(win, ep)).toBe('Scripts/tool-script.py');
    expect(entryPointScript('C:\\e', win, ep).toString().startsWith('# -*- coding')).toBe(true);
  });

  test('Windows: a Scripts/<name>.bat launcher runs the prefix python on the script beside it', () => {
    const win = pythonInfo([pythonRecord], true)!;
    const ep = parseEntryPoint('tool = m:f', 'x');
    expect(entryPointLauncherPath(win, ep)).toBe('Scripts/tool.bat');
    expect(entryPointLauncher(win, ep).toString()).toBe('@"%~dp0..\\python.exe" "%~dp0tool-script.py" %*\r\n@exit /b %ERRORLEVEL%\r\n');
    expect(entryPointLauncherPath(py, ep)).toBeUndefined();
  });
});

describe('noarch: python placement', () => {
  test('site-packages, python-scripts and bytecode paths follow the python version', () => {
    expect(py).toMatchObject({ sitePackages: 'lib/python3.11/site-packages', executable: 'bin/python3.11', cacheTag: 'cpython-311' });
    expect(noarchPythonTarget(py, 'site-packages/a/b.py')).toBe('lib/python3.11/site-packages/a/b.py');
    expect(noarchPythonTarget(py, 'python-scripts/tool')).toBe('bin/tool');
    expect(noarchPythonTarget(py, 'info/x')).toBe('info/x');
    expect(pycPath(py, 'lib/python3.11/site-packages/a/b.py')).toBe('lib/python3.11/site-packages/a/__pycache__/b.cpython-311.pyc');
    expect(pythonInfo([pythonRecord], true)?.sitePackages).toBe('Lib/site-packages');
    expect(pythonInfo([{ ...pythonRecord, python_site_packages_path: 'lib/python3.13t/site-packages' }], false)?.sitePackages).toBe('lib/python3.13t/site-packages');
    expect(pythonInfo([], false)).toBeUndefined();
  });
});
