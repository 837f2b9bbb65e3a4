/**
 * The machine's python3 as a conda package, for tests; the logic lives with the demo,
 * which builds a noarch: python package against it (build/demo/machine-python.ts).
 */
export { machinePython, writeMachinePythonPackage, type MachinePython } from '../../build/demo/machine-python.js';
