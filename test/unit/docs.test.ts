/**
 * The documentation cannot drift from the code unnoticed: every setting is in
 * .env.example and man integrationd, every error code in man integrationd's
 * ERROR CODES, and every integctl command in man integctl.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { PACKAGE_ROOT } from '../../src/lib/package-root.js';
import { schema } from '../../src/config/schema.js';
import { errorCatalogue } from '../../src/domain/errors.js';
import { buildProgram } from '../../src/cli/program.js';
import { PassThrough } from 'node:stream';

const read = (file: string) => readFileSync(path.join(PACKAGE_ROOT, file), 'utf8');

test('every setting is in .env.example and man/integrationd.8', (t) => {
  const example = read('.env.example');
  const man = read('man/integrationd.8');
  for (const setting of Object.values(schema)) {
    t.regex(example, new RegExp(`^#? ?${setting.env}=`, 'm'), `.env.example lacks ${setting.env}`);
    t.true(man.includes(setting.env), `man/integrationd.8 lacks ${setting.env}`);
  }
});

test('every error code is in the ERROR CODES table of man/integrationd.8 with its status', (t) => {
  const man = read('man/integrationd.8');
  for (const [code, { status }] of Object.entries(errorCatalogue)) {
    t.regex(man, new RegExp(`^${code}\\t${status}\\t`, 'm'), `man/integrationd.8 lacks ${code} ${status}`);
  }
});

test('every integctl command is in man/integctl.1', (t) => {
  // Plain text out of troff: font switches go, and \- (roff for a hyphen) becomes -.
  const man = read('man/integctl.1')
    .replace(/\\f[BIRP]/g, '')
    .replace(/\\-/g, '-');
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdinIsTTY: false, env: {} };
  for (const command of buildProgram(io).commands) {
    const subs =
      command.commands.length > 0
        ? command.commands.map((c) => `${command.name()} ${c.name()}`)
        : [command.name()];
    for (const sub of subs) t.true(man.includes(sub), `man/integctl.1 lacks ${sub}`);
  }
});
