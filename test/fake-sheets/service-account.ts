/**
 * A throwaway service account for tests: a fresh RSA key written as the JSON
 * file Google's console would download, so the adapter's credential loading
 * runs unchanged.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestServiceAccount {
  email: string;
  privateKeyPem: string;
  /** Path of the JSON key file. */
  file: string;
}

function newKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

// RSA key generation takes a good fraction of a second; one key per test process
// serves every fixture that does not ask for a key of its own.
let sharedKey: string | undefined;

export function createTestServiceAccount(options: { ownKey?: boolean } = {}): TestServiceAccount {
  const privateKeyPem = options.ownKey ? newKeyPem() : (sharedKey ??= newKeyPem());
  const email = `integration-test@fake-project-${randomBytes(3).toString('hex')}.iam.gserviceaccount.com`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'integ-sa-'));
  const file = path.join(dir, 'service-account.json');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: 'fake-project',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKeyPem,
      client_email: email,
      client_id: '100000000000000000000',
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
    { mode: 0o600 },
  );
  return { email, privateKeyPem, file };
}
