import { createInterface } from 'node:readline';

const YES = new Set(['', 'y', 'yes']);
const NO = new Set(['n', 'no']);

/**
 * Ask a yes/no question on the terminal; yes is the default, as in conda. Any other answer
 * asks again (conda's "Invalid choice"); the end of input (Ctrl-D) is no; Ctrl-C
 * interrupts. Without a terminal to ask (scripts, CI), go ahead.
 */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return true;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<boolean>((resolve) => {
      let answered = false;
      rl.on('line', (line) => {
        const answer = line.trim().toLowerCase();
        if (YES.has(answer) || NO.has(answer)) {
          answered = true;
          resolve(YES.has(answer));
          return;
        }
        process.stderr.write(`Invalid choice: ${line.trim()} (answer y or n)\n`);
        rl.prompt();
      });
      // Ctrl-C at the question is an interrupt like anywhere else, not an answer.
      rl.on('SIGINT', () => {
        answered = true;
        process.stderr.write('\n');
        process.kill(process.pid, 'SIGINT');
      });
      rl.on('close', () => {
        if (answered) return;
        // The prompt's line was left open: end it, and say how the silence was taken.
        process.stderr.write('\nno answer (end of input): taken as no\n');
        resolve(false);
      });
      rl.setPrompt(question);
      rl.prompt();
    });
  } finally {
    rl.close();
  }
}
