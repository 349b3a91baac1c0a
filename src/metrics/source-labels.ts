/**
 * The source label of webhook metrics. Only names of configured sources become
 * label values; anything else is "unknown", so a caller posting to 10,000
 * made-up /generic/{source} names adds one series, not 10,000. Whether a name is
 * configured is asked synchronously of the source registry's in-memory view
 * (no query on the metrics path).
 */
export const UNKNOWN_SOURCE_LABEL = 'unknown';

export type IsConfiguredSource = (name: string) => boolean;

export function sourceLabel(name: string | undefined, isConfigured: IsConfiguredSource): string {
  return name !== undefined && isConfigured(name) ? name : UNKNOWN_SOURCE_LABEL;
}
