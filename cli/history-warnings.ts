/**
 * A conda-meta/history line that cannot be read is skipped, and the user is told in one
 * line which file and which line (the environment keeps working).
 */
import { historyWarningText, setHistoryWarningListener } from '../environments/prefix/history.js';
import type { Output } from './output.js';

export function announceHistoryWarnings(output: Output): void {
  setHistoryWarningListener((warning) => output.warn(historyWarningText(warning)));
}
