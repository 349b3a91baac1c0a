/**
 * What an integctl command is given to work with, declared here in the CLI's
 * terms and built by main/ctl-services.ts, the only place that knows which
 * Postgres, Redis and migrator are behind it. A command's context is made when
 * it runs (so `--help` builds none), opens each part on first use (so `config
 * show` and a usage error touch no database) and closes what it opened when
 * the command ends, whatever happens (cli/run.ts).
 *
 * Failures of the parts reach the operator as they are: their messages say
 * what failed (cannot connect to Postgres at host:port/db, ...) and exit 1.
 */
import type { EventBus } from '../bus/event-bus.js';
import type { CacheService } from '../cache/cache-service.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import type { ExternalServices } from '../services/external-services.js';
import type { DurableCacheStore } from '../services/integration-ports.js';
import type { EventQueries } from '../services/ports.js';
import type { SourceService } from '../services/sources.js';
import type { CliIO } from './io.js';

/** integctl's own options, before the command's: `integctl -c file -v migrate`. */
export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
}

export interface CliServices {
  /** Loads the configuration (a bad value throws ConfigError: exit 78) and opens nothing yet. */
  open(io: CliIO, global: GlobalOptions): CommandContext;
}

export interface CommandContext {
  config: Config;
  /** Diagnostics on stderr: warnings, and everything with --verbose. */
  log: Logger;
  /** The stored events (Postgres). */
  events(): Promise<EventQueries>;
  /** The webhook sources (Postgres). */
  sources(): Promise<SourceService>;
  /** external_services, with every known service's effective settings (Postgres). */
  externalServices(): Promise<ExternalServices>;
  /** The durable cache level, integration_cache (Postgres). */
  durableCache(): Promise<DurableCacheStore>;
  /** The names of this build's migrations, oldest first; reads the files, not the database. */
  migrationNames(): string[];
  /** The schema migrations of the database. */
  migrations(): Promise<MigrationRunner>;
  /** The daemon's cache on the Redis at `redisUrl`; rejects with the reason when Redis does not answer. */
  cache(redisUrl: string): Promise<CacheService>;
  /** A Pub/Sub subscriber on the Redis at `redisUrl`; the first connection must succeed. */
  subscriber(redisUrl: string, notices: SubscriberNotices): Promise<EventSubscriber>;
  /** Closes what was opened, newest first. */
  close(): Promise<void>;
}

/** What a watching subscriber says while it runs, so the operator knows events may be missed. */
export interface SubscriberNotices {
  onConnectionLost(): void;
  onReconnected(): void;
}

export interface EventSubscriber {
  subscribe: EventBus['subscribe'];
}

/** One migration as `migrate status` lists it. */
export interface MigrationStatus {
  name: string;
  applied: boolean;
  appliedAt?: Date;
}

/** Something a down migration destroys, and how much of it there is now. */
export interface Drop {
  kind: 'table' | 'column' | 'rows';
  table: string;
  column?: string;
  /** Rows (for a column: non-null values) now, at most countCap + 1. */
  rows: number;
  /** Whether rows passed countCap: the count is then a lower bound. */
  more: boolean;
}

export interface DownStep {
  name: string;
  drops: Drop[];
}

/** Applies and reverts migrations one process at a time (an advisory lock); names are checked first. */
export interface MigrationRunner {
  /** Rows counted at most per drop when planning a down migration. */
  readonly countCap: number;
  status(): Promise<MigrationStatus[]>;
  /** Applies the pending migrations (up to and including `to`); the names applied. */
  up(to?: string): Promise<string[]>;
  /** What down(to) would revert, newest first, with what each drops; changes nothing. */
  planDown(to?: string): Promise<DownStep[]>;
  /** Reverts; with `expected` (a plan's names), refuses unless exactly those would be reverted. */
  down(to?: string, expected?: string[]): Promise<string[]>;
}
