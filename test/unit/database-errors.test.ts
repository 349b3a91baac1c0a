/** Which errors mean "Postgres cannot serve now" (503 with Retry-After) and which are bugs (500). */
import test from 'ava';
import { isDatabaseUnavailable } from '../../src/domain/database-errors.js';

test('isDatabaseUnavailable: connection failures and shutdowns, not query bugs', (t) => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  for (const err of [
    withCode('ECONNREFUSED'),
    withCode('57P01', 'terminating connection due to administrator command'),
    withCode('08006'),
    withCode('53300', 'sorry, too many clients already'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    Object.assign(new Error('wrapped'), { name: 'SequelizeConnectionRefusedError' }),
    Object.assign(new Error('outer'), { parent: withCode('ECONNREFUSED') }),
  ])
    t.true(isDatabaseUnavailable(err), err.message);
  for (const err of [
    withCode('08P01', 'bind message supplies 1 parameters, but prepared statement requires 2'),
    withCode('23505', 'duplicate key value'),
    withCode('42601', 'syntax error'),
    new SyntaxError('Unexpected token'),
    'ECONNREFUSED',
  ])
    t.false(isDatabaseUnavailable(err), String(err));
});
