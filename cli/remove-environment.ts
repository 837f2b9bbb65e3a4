/** `env remove` and `remove --all`: ask, remove the whole environment, say what was done. */
import os from 'node:os';
import { environmentRemovalProblem, removeEnvironment } from '../environments/remove-environment.js';
import { confirm } from './confirm.js';
import type { Output } from './output.js';

export async function removeWholeEnvironment(output: Output, prefix: string, options: { yes?: boolean; json?: boolean }, envsDirs: readonly string[]): Promise<void> {
  const context = { envsDirs, home: os.homedir(), cwd: process.cwd(), ...(process.env.CONDA_PREFIX ? { activePrefix: process.env.CONDA_PREFIX } : {}) };
  // Checked before asking, so a refusal is not preceded by a question.
  const problem = await environmentRemovalProblem(prefix, context);
  if (problem === undefined && !options.yes && !options.json && !(await confirm(`Remove the environment '${prefix}' ([y]/n)? `))) return;
  await removeEnvironment(prefix, context);
  if (options.json) output.json({ success: true, actions: { REMOVED: prefix } });
  else output.text(`Removed '${prefix}'.\n`);
}
