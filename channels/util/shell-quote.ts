/** A string as one word for a POSIX shell (bash, zsh, sh): single-quoted, inner quotes escaped. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
