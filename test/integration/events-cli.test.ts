/**
 * integctl events list | show | retry | purge against a real Postgres, with
 * captured output. Fixtures are inserted with SQL, so each test states exactly
 * the rows it starts from. Tests are serial and start from an empty table: the
 * bulk commands act on every matching row of the database.
 */
import { randomUUID } from 'node:crypto';
import test from 'ava';
import type { EventStatus } from '../../src/domain/event.js';
import { integctl } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
test.before(async () => {
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url };
});
test.after.always(() => db?.drop());
test.beforeEach(() => db.pool.query('TRUNCATE webhook_events CASCADE'));

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Fixture {
  source?: string;
  type?: string;
  tenant?: string | null;
  status?: EventStatus;
  /** How long ago it was received. */
  ageMs?: number;
  retryCount?: number;
  lastError?: string | null;
  /** A worker's lease that ends this far in the future (negative: expired). */
  leaseMs?: number;
  payload?: unknown;
  rawBody?: Buffer;
  headers?: Record<string, string>;
  attempts?: Array<{ outcome: 'completed' | 'retrying' | 'failed'; error?: string; durationMs?: number }>;
}

async function insertEvent(f: Fixture = {}): Promise<string> {
  const id = randomUUID();
  const payload = f.rawBody === undefined ? (f.payload ?? { id: `evt_${id.slice(0, 8)}` }) : null;
  const received = new Date(Date.now() - (f.ageMs ?? 0));
  await db.pool.query(
    `INSERT INTO webhook_events
       (id, source, event_id, dedup_key, event_type, tenant_id, content_type, raw_body, payload, headers,
        status, retry_count, max_retries, locked_until, locked_by, last_error, received_at, updated_at)
     VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, 3, $12, $13, $14, $15, $15)`,
    [
      id,
      f.source ?? 'shop',
      `evt_${id.slice(0, 8)}`,
      f.type ?? 'order.paid',
      f.tenant === undefined ? 't1' : f.tenant,
      payload === null ? 'application/x-www-form-urlencoded' : 'application/json',
      f.rawBody ?? Buffer.from(JSON.stringify(payload)),
      payload === null ? null : JSON.stringify(payload),
      JSON.stringify(f.headers ?? { 'content-type': 'application/json' }),
      f.status ?? 'completed',
      f.retryCount ?? 0,
      f.leaseMs === undefined ? null : new Date(Date.now() + f.leaseMs),
      f.leaseMs === undefined ? null : 'worker-a',
      f.lastError ?? null,
      received,
    ],
  );
  for (const [i, a] of (f.attempts ?? []).entries()) {
    await db.pool.query(
      `INSERT INTO webhook_event_attempts (event_id, attempt, started_at, duration_ms, outcome, error, worker)
       VALUES ($1, $2, $3, $4, $5, $6, 'worker-a')`,
      [id, i + 1, new Date(received.getTime() + i * 60_000), a.durationMs ?? 12, a.outcome, a.error ?? null],
    );
  }
  return id;
}

async function row(id: string) {
  const r = await db.pool.query<{ status: string; next_retry_at: Date | null; locked_by: string | null }>(
    'SELECT status, next_retry_at, locked_by FROM webhook_events WHERE id = $1',
    [id],
  );
  return r.rows[0];
}

async function statuses(): Promise<Record<string, string>> {
  const r = await db.pool.query<{ id: string; status: string }>('SELECT id, status FROM webhook_events');
  return Object.fromEntries(r.rows.map((x) => [x.id, x.status]));
}

const idsIn = (text: string) =>
  text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];

test.serial('list: a table of the newest events first, with the attempts recorded', async (t) => {
  const old = await insertEvent({ ageMs: 2 * HOUR, status: 'failed', attempts: [{ outcome: 'failed' }] });
  const mid = await insertEvent({
    ageMs: HOUR,
    source: 'stripe',
    type: 'charge.refunded',
    tenant: null,
    status: 'retrying',
    attempts: [{ outcome: 'retrying' }, { outcome: 'retrying' }],
  });
  const recent = await insertEvent({ ageMs: 1000 });
  const r = await integctl(['events', 'list'], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /│ id\s+│ source\s+│ type\s+│ tenant\s+│ status\s+│ attempts │ received\s+│/);
  t.deepEqual(idsIn(r.stdout), [recent, mid, old]);
  t.regex(
    r.stdout,
    new RegExp(
      `${mid} │ stripe │ charge.refunded │\\s+│ retrying\\s+│ 2\\s+│ \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ`,
    ),
  );
  t.is(r.stderr, '');
});

test.serial('list: filters by status, source, tenant, type and a received window; --json', async (t) => {
  const wanted: Fixture = {
    source: 'stripe',
    type: 'charge.refunded',
    tenant: 'acme',
    status: 'failed',
    ageMs: 2 * HOUR,
  };
  const match = await insertEvent(wanted);
  // Each of these differs from the match in one field.
  await insertEvent({ ...wanted, status: 'completed' });
  await insertEvent({ ...wanted, source: 'github' });
  await insertEvent({ ...wanted, tenant: 'other' });
  await insertEvent({ ...wanted, type: 'charge.created' });
  await insertEvent({ ...wanted, ageMs: 5 * HOUR });
  await insertEvent({ ...wanted, ageMs: 60_000 });
  const r = await integctl(
    [
      'events',
      'list',
      '--status',
      'failed',
      '--source',
      'stripe',
      '--tenant',
      'acme',
      '--type',
      'charge.refunded',
      '--since',
      '3h',
      '--until',
      new Date(Date.now() - HOUR).toISOString(),
      '--json',
    ],
    env,
  );
  t.is(r.code, 0, r.stderr);
  const listed = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  t.is(listed.length, 1);
  t.like(listed[0], {
    id: match,
    source: 'stripe',
    event_type: 'charge.refunded',
    tenant_id: 'acme',
    status: 'failed',
    attempts: 0,
    retry_count: 0,
    max_retries: 3,
  });
  // Several statuses at once.
  const two = await integctl(
    ['events', 'list', '--status', 'failed,completed', '--tenant', 'acme', '--json'],
    env,
  );
  t.is((JSON.parse(two.stdout) as unknown[]).length, 6);
});

test.serial('list: --limit keeps the newest N and says on stderr that more match', async (t) => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push(await insertEvent({ ageMs: (5 - i) * 60_000 }));
  const r = await integctl(['events', 'list', '--limit', '2', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(
    (JSON.parse(r.stdout) as Array<{ id: string }>).map((e) => e.id),
    [ids[4], ids[3]],
  );
  t.regex(r.stderr, /showing the newest 2; more match/);
  const all = await integctl(['events', 'list', '--limit', '5'], env);
  t.is(all.stderr, '');
  const none = await integctl(['events', 'list', '--source', 'nobody'], env);
  t.is(none.code, 0);
  t.is(none.stdout, '');
  t.regex(none.stderr, /no events match \(source nobody\)/);
});

test.serial('list: bad statuses, times and limits are usage errors naming what is accepted', async (t) => {
  const status = await integctl(['events', 'list', '--status', 'done'], env);
  t.is(status.code, 2);
  t.regex(
    status.stderr,
    /--status "done" is not a status; use one or more \(comma-separated\) of pending, processing, completed, retrying, failed/,
  );
  const since = await integctl(['events', 'list', '--since', 'yesterday'], env);
  t.is(since.code, 2);
  t.regex(
    since.stderr,
    /--since "yesterday" is neither a duration like 30s, 15m, 1h, 30d or 2w .* nor an ISO-8601 time/,
  );
  const until = await integctl(['events', 'list', '--until', '1 hour'], env);
  t.is(until.code, 2);
  t.regex(until.stderr, /--until "1 hour" is neither/);
  const order = await integctl(['events', 'list', '--since', '1h', '--until', '2h'], env);
  t.is(order.code, 2);
  t.regex(order.stderr, /--since \(.*\) must be before --until/);
  for (const limit of ['0', '-3', 'ten', '10001', '1.5']) {
    const r = await integctl(['events', 'list', '--limit', limit], env);
    t.is(r.code, 2, limit);
    t.regex(r.stderr, /--limit ".*" is not a whole number from 1 to 10000/);
  }
});

test.serial('show: payload, stored headers, every attempt and the last error; --json', async (t) => {
  const id = await insertEvent({
    status: 'failed',
    retryCount: 3,
    lastError: 'publish to redis bus failed: connection refused',
    payload: { id: 'evt_1', type: 'order.paid', amount: 42 },
    headers: { 'content-type': 'application/json', 'user-agent': 'Shop/2.0' },
    attempts: [
      { outcome: 'retrying', error: 'publish failed: timeout', durationMs: 30 },
      { outcome: 'retrying', error: 'publish failed: timeout', durationMs: 31 },
      { outcome: 'failed', error: 'publish to redis bus failed: connection refused', durationMs: 5 },
    ],
  });
  const r = await integctl(['events', 'show', id], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`^id\\s+${id}$`, 'm'));
  t.regex(r.stdout, /^status\s+failed$/m);
  t.regex(r.stdout, /^retries\s+3 of 3$/m);
  t.regex(r.stdout, /^last error\s+publish to redis bus failed: connection refused$/m);
  t.regex(r.stdout, /^ {2}user-agent: Shop\/2\.0$/m);
  t.regex(r.stdout, /"amount": 42/);
  t.regex(r.stdout, /attempts \(3\):/);
  t.regex(r.stdout, /│ 1 │ .* │ 30 ms\s+│ retrying │ worker-a │ publish failed: timeout\s+│/);
  t.regex(
    r.stdout,
    /│ 3 │ .* │ 5 ms\s+│ failed\s+│ worker-a │ publish to redis bus failed: connection refused │/,
  );

  const json = await integctl(['events', 'show', id, '--json'], env);
  const details = JSON.parse(json.stdout) as { payload: unknown; attempts: Array<Record<string, unknown>> };
  t.deepEqual(details.payload, { id: 'evt_1', type: 'order.paid', amount: 42 });
  t.deepEqual(
    details.attempts.map((a) => [a.attempt, a.outcome, a.duration_ms]),
    [
      [1, 'retrying', 30],
      [2, 'retrying', 31],
      [3, 'failed', 5],
    ],
  );
});

test.serial('show: a body that is not JSON is printed as text; unknown and malformed ids', async (t) => {
  const id = await insertEvent({ rawBody: Buffer.from('a=1&b=two'), status: 'pending' });
  const r = await integctl(['events', 'show', id], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /raw body \(9 bytes, not JSON\):\na=1&b=two/);
  t.regex(r.stdout, /attempts \(0\):\n {2}none yet/);
  const unknown = await integctl(['events', 'show', randomUUID()], env);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /no event with id .*; see integctl events list/);
  const malformed = await integctl(['events', 'show', 'evt_123'], env);
  t.is(malformed.code, 2);
  t.regex(malformed.stderr, /"evt_123" is not an event id \(a uuid/);
});

test.serial('retry <id…>: schedules known events now, reports unknown and busy ones, exit 1', async (t) => {
  const failed = await insertEvent({ status: 'failed', retryCount: 3 });
  const completed = await insertEvent({ status: 'completed' });
  const busy = await insertEvent({ status: 'processing', leaseMs: 60_000 });
  const unknown = randomUUID();
  const before = Date.now();
  const r = await integctl(['events', 'retry', failed, completed, busy, unknown], env);
  t.is(r.code, 1);
  t.deepEqual(idsIn(r.stdout).sort(), [failed, completed].sort());
  t.regex(r.stdout, /scheduled for retry: 2 events/);
  t.regex(r.stderr, new RegExp(`no event with id ${unknown}`));
  t.regex(r.stderr, new RegExp(`event ${busy} is being processed right now`));
  t.regex(r.stderr, /2 events not retried/);
  for (const id of [failed, completed]) {
    const after = await row(id);
    t.is(after?.status, 'retrying');
    t.true(
      (after?.next_retry_at?.getTime() ?? Infinity) <= Date.now() &&
        (after?.next_retry_at?.getTime() ?? 0) >= before - 1000,
    );
  }
  t.like(await row(busy), { status: 'processing', locked_by: 'worker-a' });
});

test.serial('retry <id…> --dry-run and --json: says what would happen and changes nothing', async (t) => {
  const failed = await insertEvent({ status: 'failed' });
  const unknown = randomUUID();
  const r = await integctl(['events', 'retry', failed, unknown, '--dry-run', '--json'], env);
  t.is(r.code, 1);
  t.deepEqual(JSON.parse(r.stdout), { scheduled: [failed], unknown: [unknown], busy: [], dry_run: true });
  t.is((await row(failed))?.status, 'failed');
  const ok = await integctl(['events', 'retry', failed, '--json'], env);
  t.is(ok.code, 0, ok.stderr);
  t.deepEqual(JSON.parse(ok.stdout), { scheduled: [failed], unknown: [], busy: [], dry_run: false });
});

test.serial('retry: malformed ids, ids with filters, and no selection at all are usage errors', async (t) => {
  const failed = await insertEvent({ status: 'failed' });
  const malformed = await integctl(['events', 'retry', failed, 'not-an-id'], env);
  t.is(malformed.code, 2);
  t.regex(malformed.stderr, /not event ids .*: not-an-id; nothing was retried/);
  t.is((await row(failed))?.status, 'failed');
  const both = await integctl(['events', 'retry', failed, '--status', 'failed'], env);
  t.is(both.code, 2);
  t.regex(both.stderr, /give event ids or filters/);
  const none = await integctl(['events', 'retry'], env);
  t.is(none.code, 2);
  t.regex(none.stderr, /give event ids, or --status \(e\.g\. --status failed\)/);
  const status = await integctl(['events', 'retry', '--status', 'broken', '--yes'], env);
  t.is(status.code, 2);
  t.regex(status.stderr, /--status "broken" is not a status/);
  const since = await integctl(['events', 'retry', '--status', 'failed', '--since', '3 days', '--yes'], env);
  t.is(since.code, 2);
  t.regex(since.stderr, /--since "3 days" is neither a duration like 30s, 15m, 1h, 30d or 2w/);
  t.is((await row(failed))?.status, 'failed');
});

test.serial(
  'bulk retry: counts, refuses without --yes on a non-terminal, --dry-run changes nothing',
  async (t) => {
    const a = await insertEvent({ status: 'failed', source: 'stripe' });
    const b = await insertEvent({ status: 'failed', source: 'stripe' });
    const dry = await integctl(
      ['events', 'retry', '--status', 'failed', '--source', 'stripe', '--dry-run'],
      env,
    );
    t.is(dry.code, 0, dry.stderr);
    t.is(dry.stdout, 'would retry 2 events (status failed, source stripe)\n');
    const refused = await integctl(['events', 'retry', '--status', 'failed', '--source', 'stripe'], env);
    t.is(refused.code, 2);
    t.regex(
      refused.stderr,
      /Retry 2 events \(status failed, source stripe\)\? .* Refusing without --yes: standard input is not a terminal/,
    );
    t.deepEqual(await statuses(), { [a]: 'failed', [b]: 'failed' });
    const json = await integctl(['events', 'retry', '--status', 'failed', '--dry-run', '--json'], env);
    t.deepEqual(JSON.parse(json.stdout), { matched: 2, scheduled: 0, busy: 0, dry_run: true });
  },
);

test.serial('bulk retry --yes schedules every match in batches and nothing else', async (t) => {
  const matching: string[] = [];
  for (let i = 0; i < 7; i++)
    matching.push(
      await insertEvent({ status: 'failed', source: 'stripe', tenant: 'acme', ageMs: i * 60_000 }),
    );
  const busy = await insertEvent({ status: 'processing', source: 'stripe', tenant: 'acme', leaseMs: 60_000 });
  const others = [
    await insertEvent({ status: 'failed', source: 'github', tenant: 'acme' }),
    await insertEvent({ status: 'failed', source: 'stripe', tenant: 'other' }),
    await insertEvent({ status: 'completed', source: 'stripe', tenant: 'acme' }),
    await insertEvent({ status: 'failed', source: 'stripe', tenant: 'acme', ageMs: 3 * DAY }),
  ];
  const r = await integctl(
    [
      'events',
      'retry',
      '--status',
      'failed,processing',
      '--source',
      'stripe',
      '--tenant',
      'acme',
      '--since',
      '1d',
      '--batch-size',
      '3',
      '--yes',
    ],
    env,
  );
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, "scheduled 7 events for retry; the daemon's retry loop publishes on its next tick\n");
  t.regex(r.stderr, /1 event left alone: being processed by a worker right now/);
  const after = await statuses();
  for (const id of matching) t.is(after[id], 'retrying');
  t.is(after[busy], 'processing');
  t.deepEqual(
    others.map((id) => after[id]),
    ['failed', 'failed', 'completed', 'failed'],
  );
  const none = await integctl(['events', 'retry', '--status', 'failed', '--source', 'nobody', '--yes'], env);
  t.is(none.code, 0);
  t.regex(none.stderr, /no events match \(status failed, source nobody\); nothing to retry/);
});

test.serial('bulk retry --json reports matched, scheduled and busy', async (t) => {
  await insertEvent({ status: 'failed' });
  await insertEvent({ status: 'processing', leaseMs: 60_000 });
  const r = await integctl(['events', 'retry', '--status', 'failed,processing', '--yes', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), { matched: 2, scheduled: 1, busy: 1, dry_run: false });
});

test.serial(
  'purge: by default only completed events older than the cutoff; --dry-run and refusal change nothing',
  async (t) => {
    const oldCompleted = [
      await insertEvent({ ageMs: 40 * DAY, attempts: [{ outcome: 'completed' }] }),
      await insertEvent({ ageMs: 31 * DAY }),
    ];
    const keep = [
      await insertEvent({ ageMs: 29 * DAY }),
      await insertEvent({ ageMs: 40 * DAY, status: 'failed' }),
      await insertEvent({ ageMs: 40 * DAY, status: 'retrying' }),
      await insertEvent({ ageMs: 40 * DAY, status: 'pending' }),
    ];
    const dry = await integctl(['events', 'purge', '--older-than', '30d', '--dry-run'], env);
    t.is(dry.code, 0, dry.stderr);
    t.regex(dry.stdout, /^would delete 2 events received before \S+ \(2 completed\)$/m);
    const refused = await integctl(['events', 'purge', '--older-than', '30d'], env);
    t.is(refused.code, 2);
    t.regex(refused.stderr, /Refusing without --yes/);
    t.is(Object.keys(await statuses()).length, 6);

    const r = await integctl(['events', 'purge', '--older-than', '30d', '--yes', '--batch-size', '1'], env);
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout, 'deleted 2 events and their attempt history\n');
    t.is(r.stderr, '', 'no spinner or progress lines when stderr is not a terminal');
    t.deepEqual(Object.keys(await statuses()).sort(), [...keep].sort());
    const attempts = await db.pool.query('SELECT 1 FROM webhook_event_attempts WHERE event_id = ANY($1)', [
      oldCompleted,
    ]);
    t.is(attempts.rowCount, 0);
    const again = await integctl(['events', 'purge', '--older-than', '30d', '--yes'], env);
    t.is(again.code, 0);
    t.regex(again.stderr, /nothing to purge/);
  },
);

test.serial('purge of undelivered statuses only when named, never under a live lease; --json', async (t) => {
  const oldRetrying = await insertEvent({ ageMs: 10 * DAY, status: 'retrying' });
  const oldFailed = await insertEvent({ ageMs: 10 * DAY, status: 'failed' });
  const leased = await insertEvent({ ageMs: 10 * DAY, status: 'processing', leaseMs: 60_000 });
  const expired = await insertEvent({ ageMs: 10 * DAY, status: 'processing', leaseMs: -60_000 });
  const refused = await integctl(
    ['events', 'purge', '--older-than', '7d', '--status', 'retrying,failed,processing'],
    env,
  );
  t.regex(
    refused.stderr,
    /Delete 3 events .*\(1 retrying, 1 failed, 1 processing\)\? 3 events of them were never delivered and never will be/,
  );
  const r = await integctl(
    ['events', 'purge', '--older-than', '7d', '--status', 'retrying,failed,processing', '--yes', '--json'],
    env,
  );
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), {
    matched: 3,
    deleted: 3,
    by_status: { retrying: 1, failed: 1, processing: 1 },
    dry_run: false,
  });
  const left = await statuses();
  t.deepEqual(Object.keys(left), [leased]);
  t.false(oldRetrying in left || oldFailed in left || expired in left);
});

test.serial('purge: --older-than is required and must be a duration; statuses are checked', async (t) => {
  const missing = await integctl(['events', 'purge', '--yes'], env);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /required option '--older-than <duration>' not specified/);
  const bad = await integctl(['events', 'purge', '--older-than', '30 days', '--yes'], env);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--older-than "30 days" is not a duration like 30s, 15m, 1h, 30d or 2w/);
  const iso = await integctl(['events', 'purge', '--older-than', '2026-01-01', '--yes'], env);
  t.is(iso.code, 2);
  const status = await integctl(['events', 'purge', '--older-than', '30d', '--status', 'old', '--yes'], env);
  t.is(status.code, 2);
  t.regex(status.stderr, /--status "old" is not a status/);
});

test.serial(
  'bulk retry pages by the stored microseconds: rows received in one millisecond are all retried',
  async (t) => {
    // A cursor rounded to JS milliseconds would skip the rows after it within the same millisecond.
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await insertEvent({ status: 'failed' }));
    // One statement, so one now(): 100, 200, 300, 400 microseconds into the same millisecond.
    await db.pool.query(
      `UPDATE webhook_events e SET received_at = date_trunc('milliseconds', now()) + u.n * interval '100 microseconds'
         FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n) WHERE e.id = u.id`,
      [ids],
    );
    const r = await integctl(['events', 'retry', '--status', 'failed', '--batch-size', '1', '--yes'], env);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /scheduled 4 events/);
    const after = await statuses();
    t.deepEqual(
      ids.map((id) => after[id]),
      ['retrying', 'retrying', 'retrying', 'retrying'],
    );
  },
);

test.serial('usage errors are found before connecting: exit 2 even when the database is down', async (t) => {
  const down = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' };
  for (const args of [
    ['events', 'list', '--since', 'soon'],
    ['events', 'show', 'nope'],
    ['events', 'retry', 'nope'],
    ['events', 'retry', '--status', 'failed', '--batch-size', '0', '--yes'],
    ['events', 'purge', '--older-than', '1 month', '--yes'],
    // Durations whose start is before the year 1, and calendar dates that do not exist.
    ['events', 'list', '--since', '999999999w'],
    ['events', 'list', '--until', '999999999d'],
    ['events', 'list', '--since', '2026-02-30'],
    ['events', 'list', '--since', '2026-11-26T25:00:00Z'],
    ['events', 'retry', '--status', 'failed', '--since', '999999999w', '--yes'],
    ['events', 'retry', '--status', 'failed', '--until', '2025-02-29', '--yes'],
    ['events', 'purge', '--older-than', '999999999w', '--yes'],
  ]) {
    const r = await integctl(args, down);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.notRegex(r.stderr, /cannot connect to Postgres/);
  }
  const reachable = await integctl(['events', 'list'], down);
  t.is(reachable.code, 1, 'the same database is really down');
});

test.serial(
  'times out of range or off the calendar are refused with the reason, never rolled over',
  async (t) => {
    const far = await integctl(['events', 'list', '--since', '999999999w'], env);
    t.is(far.code, 2);
    t.regex(far.stderr, /--since "999999999w" is longer than 1000 years/);
    const purge = await integctl(['events', 'purge', '--older-than', '999999999w', '--yes'], env);
    t.is(purge.code, 2);
    t.regex(purge.stderr, /--older-than "999999999w" is longer than 1000 years/);
    const feb = await integctl(['events', 'list', '--since', '2026-02-30'], env);
    t.is(feb.code, 2);
    t.regex(feb.stderr, /--since "2026-02-30" is not a real time: 2026-02 has 28 days/);
    const leap = await integctl(['events', 'list', '--since', '2024-02-29', '--json'], env);
    t.is(leap.code, 0, leap.stderr);
    const offset = await integctl(['events', 'list', '--since', '2026-11-26T10:00:00+03:00', '--json'], env);
    t.is(offset.code, 0, offset.stderr);
  },
);
