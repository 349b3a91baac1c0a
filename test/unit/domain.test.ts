import test from 'ava';
import { channelFor, envelopeFor, eventTypeOf } from '../../src/domain/event.js';
import { afterFailure, DEFAULT_RETRY_POLICY, retryDelayMs } from '../../src/domain/retry-policy.js';

test('event type follows SPEC.md per scheme', (t) => {
  t.is(eventTypeOf('stripe', { type: 'charge.refunded', event_type: 'x' }, {}), 'charge.refunded');
  t.is(
    eventTypeOf('google-drive', { eventType: 'sheets.edit' }, { 'x-goog-resource-state': 'update' }),
    'sheets.edit',
  );
  t.is(eventTypeOf('google-drive', undefined, { 'x-goog-resource-state': 'update' }), 'sheets.update');
  t.is(eventTypeOf('hmac', { event_type: 'a', type: 'b' }, {}), 'a');
  t.is(eventTypeOf('hmac', { type: 'b' }, {}), 'b');
  t.is(eventTypeOf('hmac', { other: 1 }, {}), 'unknown');
  t.is(eventTypeOf('none', [1, 2], {}), 'unknown');
  t.is(eventTypeOf('github', {}, { 'x-github-event': 'push' }), 'push');
  t.is(eventTypeOf('hmac', { type: 'bad\nname\u0000' }, {}), 'badname');
});

test('channel and envelope keep the old service shapes', (t) => {
  t.is(
    channelFor('stripe', 'payment_intent.succeeded'),
    'integration.webhook.stripe.payment_intent.succeeded',
  );
  const text = envelopeFor(
    {
      id: 'u-1',
      source: 'stripe',
      eventId: 'evt_1',
      eventType: 'payment_intent.succeeded',
      tenantId: 'uk_company_1',
      payloadJson: '{"id":"evt_1","n":[1,2]}',
    },
    new Date('2026-11-26T12:00:00Z'),
  );
  t.deepEqual(JSON.parse(text), {
    event_type: 'webhook.stripe.payment_intent.succeeded',
    source: 'integration_service',
    timestamp: '2026-11-26T12:00:00.000Z',
    tenant_id: 'uk_company_1',
    data: {
      event_id: 'evt_1',
      id: 'u-1',
      source: 'stripe',
      event_type: 'payment_intent.succeeded',
      payload: { id: 'evt_1', n: [1, 2] },
    },
  });
  const empty = JSON.parse(
    envelopeFor(
      { id: 'u', source: 's', eventId: null, eventType: 't', tenantId: null, payloadJson: null },
      new Date(0),
    ),
  ) as {
    data: { payload: unknown };
  };
  t.is(empty.data.payload, null);
});

const NOW = new Date('2026-11-26T12:00:00Z');

test('retry delay is 2^retry_count minutes, plus jitter within its bounds', (t) => {
  t.is(retryDelayMs(0, { random: () => 0 }), 60_000);
  t.is(retryDelayMs(1, { random: () => 0 }), 120_000);
  t.is(retryDelayMs(2, { random: () => 0 }), 240_000);
  t.is(retryDelayMs(3, { random: () => 0 }), 480_000);
  // Jitter adds at most jitterRatio of the delay.
  t.is(
    retryDelayMs(2, { random: () => 0.999999 }),
    Math.round(240_000 * (1 + 0.999999 * DEFAULT_RETRY_POLICY.jitterRatio)),
  );
  for (let i = 0; i < 200; i++) {
    const d = retryDelayMs(1);
    t.true(d >= 120_000 && d < 120_000 * 1.1);
  }
});

test('retry delay is capped', (t) => {
  t.is(retryDelayMs(10, { random: () => 0 }), DEFAULT_RETRY_POLICY.maxDelayMs);
  t.is(retryDelayMs(1000, { random: () => 0 }), DEFAULT_RETRY_POLICY.maxDelayMs);
});

test('after max_retries retries an event fails; permanent errors fail at once', (t) => {
  t.deepEqual(afterFailure(0, 3, NOW, { random: () => 0 }), {
    status: 'retrying',
    retryCount: 1,
    nextRetryAt: new Date(NOW.getTime() + 60_000),
  });
  t.deepEqual(afterFailure(2, 3, NOW, { random: () => 0 }), {
    status: 'retrying',
    retryCount: 3,
    nextRetryAt: new Date(NOW.getTime() + 240_000),
  });
  t.deepEqual(afterFailure(3, 3, NOW), { status: 'failed', retryCount: 3 });
  t.deepEqual(afterFailure(0, 0, NOW), { status: 'failed', retryCount: 0 });
  t.deepEqual(afterFailure(0, 3, NOW, { permanent: true }), { status: 'failed', retryCount: 0 });
});
