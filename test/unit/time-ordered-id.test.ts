import test from 'ava';
import { timeOrderedId } from '../../src/lib/time-ordered-id.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('ids are RFC 9562 version 7 UUIDs carrying their millisecond', (t) => {
  const at = Date.UTC(2026, 10, 26, 9, 40, 0, 123);
  const id = timeOrderedId(at);
  t.regex(id, V7);
  t.is(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at);
  t.regex(timeOrderedId(), V7);
});

test('a later millisecond sorts later; ids within one millisecond differ', (t) => {
  const at = Date.now();
  const ids = Array.from({ length: 1000 }, (_, i) => timeOrderedId(at + Math.floor(i / 10)));
  for (let i = 10; i < ids.length; i += 10) t.true(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
  t.is(new Set(ids).size, ids.length);
});
