/**
 * docs/architecture.md walks a newcomer through the code file by file: every
 * path it names must exist, so a move or a rename that forgets the page fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { PACKAGE_ROOT } from '../../src/lib/package-root.js';

const page = readFileSync(path.join(PACKAGE_ROOT, 'docs/architecture.md'), 'utf8');

/** Every `code span` that names a path of the repository: src/…, test/…, man/… or a dotfile. */
function namedPaths(markdown: string): string[] {
  const spans = [...markdown.matchAll(/`([^`\s]+)`/g)].map((m) => m[1] ?? '');
  return [
    ...new Set(
      spans.filter((s) => /^(src|test|man|bench|migrations|docs|config)\/|^\.[a-z-]+\.c?js$/.test(s)),
    ),
  ];
}

test('docs/architecture.md names paths, and each one exists', (t) => {
  const paths = namedPaths(page);
  t.true(paths.length >= 30, `only ${paths.length} paths named`);
  const missing = paths.filter((p) => !existsSync(path.join(PACKAGE_ROOT, p.replace(/\/$/, ''))));
  t.deepEqual(missing, []);
});

test('the path finder sees a path that does not exist (so the check above can fail)', (t) => {
  const paths = namedPaths('see `src/no-such-folder/file.ts` and `not/a/path` and `npm run lint`');
  t.deepEqual(paths, ['src/no-such-folder/file.ts']);
  t.false(existsSync(path.join(PACKAGE_ROOT, 'src/no-such-folder/file.ts')));
});
