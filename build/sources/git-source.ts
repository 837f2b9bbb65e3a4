/**
 * `git` sources: a clone of a repository (a local folder or a URL git understands) checked
 * out at a tag, branch or commit, with the system `git`. The clone keeps its `.git`, as
 * conda-build's work folder does, so build scripts can ask git for the version.
 */
import { rm } from 'node:fs/promises';
import { runToolChecked } from '../run-tool.js';

export interface GitSourceSpec {
  readonly git: string;
  readonly rev?: string;
  readonly depth?: number;
}

/** Clone `spec.git` into `dest` (which must not exist or be empty) at `spec.rev`. */
export async function checkoutGitSource(spec: GitSourceSpec, dest: string): Promise<void> {
  // No prompts for credentials: a build must fail rather than wait for a terminal.
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  const what = `cloning the git source '${spec.git}'`;
  await rm(dest, { recursive: true, force: true });
  // A shallow clone cannot reach an arbitrary commit, so depth applies only without rev
  // or with a rev git can fetch by name (a tag or branch).
  const shallow = spec.depth !== undefined && spec.depth > 0 && (spec.rev === undefined || !/^[0-9a-f]{7,40}$/i.test(spec.rev));
  const args = ['-c', 'advice.detachedHead=false', 'clone', '--quiet'];
  if (shallow) args.push('--depth', String(spec.depth), ...(spec.rev ? ['--branch', spec.rev] : []), toUrl(spec.git));
  else args.push('--no-checkout', spec.git);
  await runToolChecked('git', [...args, dest], what, { env });
  if (!shallow) {
    await runToolChecked('git', ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', spec.rev ?? 'HEAD'], `checking out '${spec.rev ?? 'HEAD'}' of '${spec.git}'`, {
      cwd: dest,
      env,
    });
  }
  await runToolChecked('git', ['submodule', 'update', '--init', '--recursive', '--quiet'], `updating the submodules of '${spec.git}'`, { cwd: dest, env });
}

/** git ignores --depth for plain local paths; a file:// URL makes it honour it. */
function toUrl(location: string): string {
  return location.startsWith('/') ? `file://${location}` : location;
}
