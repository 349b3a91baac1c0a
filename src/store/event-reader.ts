/**
 * One stored event with its attempts, for `events show` and the events API.
 * The payload is read as jsonb's text, never parsed here: JSON.parse would
 * round numbers past 2^53, and what is shown must be what was stored, however
 * deep (a 5,000-level body is valid JSON that JSON.stringify cannot write).
 */
import { literal, type InferAttributes } from 'sequelize';
import type { Models, WebhookEventAttemptRow, WebhookEventRow } from './models/index.js';

export type StoredEvent = Omit<InferAttributes<WebhookEventRow>, 'payload'> & {
  /** The payload as Postgres writes jsonb out (numbers exact), or null. */
  payloadText: string | null;
};

export async function readStoredEvent(
  models: Models,
  id: string,
): Promise<{ event: StoredEvent; attempts: WebhookEventAttemptRow[] } | undefined> {
  const row = await models.WebhookEvent.findByPk(id, {
    attributes: { exclude: ['payload'], include: [[literal('payload::text'), 'payloadText']] },
  });
  if (row === null) return undefined;
  const event = row.get({ plain: true }) as unknown as StoredEvent;
  const attempts = await models.WebhookEventAttempt.findAll({
    where: { eventId: id },
    order: [
      ['attempt', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  return { event, attempts };
}
