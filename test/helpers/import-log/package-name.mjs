/** The npm package a loaded file belongs to (`name` or `@scope/name`), or undefined outside node_modules. */
export function packageOfFile(file) {
  const normalized = file.replaceAll('\\', '/');
  const at = normalized.lastIndexOf('/node_modules/');
  if (at === -1) return undefined;
  const parts = normalized.slice(at + '/node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}
