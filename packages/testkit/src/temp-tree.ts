import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A scratch directory with helpers to lay out files; removed by `cleanup`. */
export function tempTree(prefix = 'imds-guard-test-') {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return {
    root,
    path: (rel: string) => join(root, rel),
    write(rel: string, content: string | Uint8Array) {
      const p = join(root, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
      return p;
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
