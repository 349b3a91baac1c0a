/** The three budget windows of external_services and api_rate_limits. */
export type WindowKind = 'minute' | 'hour' | 'day';

export const WINDOW_KINDS: readonly WindowKind[] = ['minute', 'hour', 'day'];

export const WINDOW_SECONDS: Readonly<Record<WindowKind, number>> = { minute: 60, hour: 3600, day: 86_400 };

/** Calls allowed per window; a missing or zero entry means no limit in that window. */
export type Limits = Partial<Record<WindowKind, number>>;

/** Start of the clock-aligned (UTC) window holding `at`, for the usage record. */
export function windowStart(kind: WindowKind, at: number): Date {
  const size = WINDOW_SECONDS[kind] * 1000;
  return new Date(Math.floor(at / size) * size);
}
