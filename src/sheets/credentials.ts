/**
 * The service-account key file of GOOGLE_SHEETS_CREDENTIALS_PATH, read once at
 * start. Errors name the file and what is wrong with it, never its contents.
 * Only service accounts are accepted: the daemon acts as itself, and a sheet
 * is opened to it by sharing the sheet with the account's email.
 */
import { readFile } from 'node:fs/promises';

export interface ServiceAccount {
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  projectId?: string;
}

export class CredentialsError extends Error {}

function field(json: Record<string, unknown>, name: string): string | undefined {
  const v = json[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export async function loadServiceAccount(file: string): Promise<ServiceAccount> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CredentialsError(`GOOGLE_SHEETS_CREDENTIALS_PATH=${file} cannot be read (${code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsError(
      `GOOGLE_SHEETS_CREDENTIALS_PATH=${file} is not JSON; download the key as JSON`,
    );
  }
  if (typeof json !== 'object' || json === null) {
    throw new CredentialsError(`GOOGLE_SHEETS_CREDENTIALS_PATH=${file} does not hold a JSON object`);
  }
  const record = json as Record<string, unknown>;
  if (record.type !== 'service_account') {
    throw new CredentialsError(
      `GOOGLE_SHEETS_CREDENTIALS_PATH=${file} is not a service-account key (type is ${JSON.stringify(record.type ?? null)}); create a key for a service account in the Google Cloud console`,
    );
  }
  const clientEmail = field(record, 'client_email');
  const privateKey = field(record, 'private_key');
  if (clientEmail === undefined || privateKey === undefined || !privateKey.includes('PRIVATE KEY')) {
    throw new CredentialsError(
      `GOOGLE_SHEETS_CREDENTIALS_PATH=${file} lacks client_email or a PEM private_key`,
    );
  }
  return {
    clientEmail,
    privateKey,
    privateKeyId: field(record, 'private_key_id'),
    projectId: field(record, 'project_id'),
  };
}
