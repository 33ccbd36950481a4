/** Renders a zod issue path as authors write it: `arms.lactate-mg-dl[0].params.to`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}

export function formatIssues(where: string, issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>): string {
  return issues.map((i) => `${where}: ${formatPath(i.path)}: ${i.message}`).join('\n');
}
