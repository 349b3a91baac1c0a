/**
 * Sequelize models of the tables the ORM side reads and writes. Defined per
 * Sequelize instance (not as global classes), so tests can hold several
 * databases in one process.
 */
import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type ModelStatic,
  type Sequelize,
} from 'sequelize';
import type { EventStatus } from '../../domain/event.js';
import type { Scheme, SourceSecret } from '../../domain/source.js';

export interface WebhookConfigRow extends Model<
  InferAttributes<WebhookConfigRow>,
  InferCreationAttributes<WebhookConfigRow>
> {
  id: CreationOptional<string>;
  name: string;
  scheme: Scheme;
  options: Record<string, unknown>;
  secrets: SourceSecret[];
  tenantId: string | null;
  maxRetries: number | null;
  rateLimitPerMinute: number | null;
  isActive: CreationOptional<boolean>;
  description: string | null;
  createdAt: CreationOptional<Date>;
  updatedAt: CreationOptional<Date>;
}

export interface WebhookEventRow extends Model<
  InferAttributes<WebhookEventRow>,
  InferCreationAttributes<WebhookEventRow>
> {
  id: string;
  source: string;
  eventId: string | null;
  dedupKey: string;
  eventType: string;
  tenantId: string | null;
  contentType: string | null;
  rawBody: Buffer;
  payload: unknown;
  headers: Record<string, string>;
  status: EventStatus;
  retryCount: number;
  maxRetries: number;
  nextRetryAt: Date | null;
  lockedUntil: Date | null;
  lockedBy: string | null;
  publishedAt: Date | null;
  lastError: string | null;
  receivedAt: Date;
  updatedAt: Date;
}

export interface WebhookEventAttemptRow extends Model<
  InferAttributes<WebhookEventAttemptRow>,
  InferCreationAttributes<WebhookEventAttemptRow>
> {
  id: CreationOptional<number>;
  eventId: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  outcome: 'completed' | 'retrying' | 'failed';
  error: string | null;
  worker: string | null;
}

export interface Models {
  WebhookConfig: ModelStatic<WebhookConfigRow>;
  WebhookEvent: ModelStatic<WebhookEventRow>;
  WebhookEventAttempt: ModelStatic<WebhookEventAttemptRow>;
}

export function defineModels(sequelize: Sequelize): Models {
  const WebhookConfig = sequelize.define<WebhookConfigRow>(
    'WebhookConfig',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      name: { type: DataTypes.TEXT, allowNull: false, unique: true },
      scheme: { type: DataTypes.TEXT, allowNull: false },
      options: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      secrets: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
      tenantId: { type: DataTypes.TEXT, allowNull: true },
      maxRetries: { type: DataTypes.INTEGER, allowNull: true },
      rateLimitPerMinute: { type: DataTypes.INTEGER, allowNull: true },
      isActive: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      description: { type: DataTypes.TEXT, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { tableName: 'webhook_configs', underscored: true },
  );
  const WebhookEvent = sequelize.define<WebhookEventRow>(
    'WebhookEvent',
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      source: { type: DataTypes.TEXT, allowNull: false },
      eventId: { type: DataTypes.TEXT },
      dedupKey: { type: DataTypes.TEXT, allowNull: false },
      eventType: { type: DataTypes.TEXT, allowNull: false },
      tenantId: { type: DataTypes.TEXT },
      contentType: { type: DataTypes.TEXT },
      rawBody: { type: DataTypes.BLOB, allowNull: false },
      payload: { type: DataTypes.JSONB },
      headers: { type: DataTypes.JSONB, allowNull: false },
      status: { type: DataTypes.TEXT, allowNull: false },
      retryCount: { type: DataTypes.INTEGER, allowNull: false },
      maxRetries: { type: DataTypes.INTEGER, allowNull: false },
      nextRetryAt: { type: DataTypes.DATE },
      lockedUntil: { type: DataTypes.DATE },
      lockedBy: { type: DataTypes.TEXT },
      publishedAt: { type: DataTypes.DATE },
      lastError: { type: DataTypes.TEXT },
      receivedAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { tableName: 'webhook_events', underscored: true, timestamps: false },
  );
  const WebhookEventAttempt = sequelize.define<WebhookEventAttemptRow>(
    'WebhookEventAttempt',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      eventId: { type: DataTypes.UUID, allowNull: false },
      attempt: { type: DataTypes.INTEGER, allowNull: false },
      startedAt: { type: DataTypes.DATE, allowNull: false },
      durationMs: { type: DataTypes.INTEGER, allowNull: false },
      outcome: { type: DataTypes.TEXT, allowNull: false },
      error: { type: DataTypes.TEXT },
      worker: { type: DataTypes.TEXT },
    },
    { tableName: 'webhook_event_attempts', underscored: true, timestamps: false },
  );
  WebhookEvent.hasMany(WebhookEventAttempt, { foreignKey: 'eventId', as: 'attempts' });
  return { WebhookConfig, WebhookEvent, WebhookEventAttempt };
}
