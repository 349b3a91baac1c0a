/**
 * One stored event with its attempts, for `events show` and the events API.
 * The payload is read as jsonb's text, never parsed here: JSON.parse would
 * round numbers past 2^53, and what is shown must be what was stored, however
 * deep (a 5,000-level body is valid JSON that JSON.stringify cannot write).
 */
import { literal, type InferAttributes } from 'sequelize';
import type { EventRecord } from '../services/ports.js';
import type { Models, WebhookEventRow } from './models/index.js';

type Row = Omit<InferAttributes<WebhookEventRow>, 'payload'> & { payloadText: string | null };

export async function readStoredEvent(models: Models, id: string): Promise<EventRecord | undefined> {
  const row = await models.WebhookEvent.findByPk(id, {
    attributes: { exclude: ['payload'], include: [[literal('payload::text'), 'payloadText']] },
  });
  if (row === null) return undefined;
  const e = row.get({ plain: true }) as unknown as Row;
  const attempts = await models.WebhookEventAttempt.findAll({
    where: { eventId: id },
    order: [
      ['attempt', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  return {
    id: e.id,
    source: e.source,
    eventId: e.eventId,
    eventType: e.eventType,
    tenantId: e.tenantId,
    status: e.status,
    retryCount: e.retryCount,
    maxRetries: e.maxRetries,
    nextRetryAt: e.nextRetryAt,
    publishedAt: e.publishedAt,
    lastError: e.lastError,
    receivedAt: e.receivedAt,
    updatedAt: e.updatedAt,
    contentType: e.contentType,
    headers: e.headers,
    payloadText: e.payloadText,
    rawBody: e.rawBody,
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.startedAt,
      durationMs: a.durationMs,
      outcome: a.outcome,
      error: a.error,
      worker: a.worker,
    })),
  };
}
