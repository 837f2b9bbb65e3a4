import { createInterface } from 'node:readline/promises';

/** Ask a yes/no question on the terminal; yes is the default, as in conda. Without a terminal to ask (scripts, CI), go ahead. */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return true;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(question)).trim().toLowerCase();
    return answer === '' || answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}
