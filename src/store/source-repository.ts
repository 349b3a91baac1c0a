/** webhook_configs through Sequelize: the sources that integctl manages. */
import type { WebhookSource } from '../domain/source.js';
import type { SourceStore } from '../services/ports.js';
import type { Models, WebhookConfigRow } from './models/index.js';

function toSource(row: WebhookConfigRow): WebhookSource {
  return {
    name: row.name,
    scheme: row.scheme,
    options: row.options,
    secrets: row.secrets,
    tenantId: row.tenantId,
    maxRetries: row.maxRetries,
    rateLimitPerMinute: row.rateLimitPerMinute,
    isActive: row.isActive,
    description: row.description,
  };
}

export class SourceRepository implements SourceStore {
  constructor(private readonly models: Models) {}

  async find(name: string): Promise<WebhookSource | undefined> {
    const row = await this.models.WebhookConfig.findOne({ where: { name } });
    return row ? toSource(row) : undefined;
  }

  async list(): Promise<WebhookSource[]> {
    return (await this.models.WebhookConfig.findAll({ order: [['name', 'ASC']] })).map(toSource);
  }

  async create(source: WebhookSource): Promise<void> {
    await this.models.WebhookConfig.create({ ...source });
  }

  /** Replaces the stored source of that name; false when there is none. */
  async save(source: WebhookSource): Promise<boolean> {
    const [count] = await this.models.WebhookConfig.update({ ...source }, { where: { name: source.name } });
    return count > 0;
  }

  async remove(name: string): Promise<boolean> {
    return (await this.models.WebhookConfig.destroy({ where: { name } })) > 0;
  }
}
