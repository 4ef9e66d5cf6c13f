/**
 * Password hashing: argon2id in the PHC string format, with @node-rs/argon2's defaults (19 MiB of
 * memory, 2 passes, 1 lane), which are OWASP's recommended minimum for argon2id. The parameters and
 * the salt live inside the stored string, so stronger defaults later still verify old hashes.
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { KamertonError } from '../core/errors.ts';

export const MIN_PASSWORD_LENGTH = 10;
/** Long enough for any passphrase; the cap keeps one request from making the server hash megabytes. */
export const MAX_PASSWORD_LENGTH = 1000;

/**
 * Algorithm.Argon2id. The package declares Algorithm as an ambient const enum, which TypeScript's
 * isolatedModules cannot inline and whose runtime object is empty, so the value is written out.
 */
const ARGON2ID = 2 as Algorithm;

/** The message every password-policy error carries, so the API, the CLI and the UI say the same. */
export const PASSWORD_POLICY = `A password needs at least ${MIN_PASSWORD_LENGTH} characters (at most ${MAX_PASSWORD_LENGTH}).`;

/** Throws invalid-input (field `password`) when the password breaks the policy. */
export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new KamertonError('invalid-input', PASSWORD_POLICY, { field: 'password' });
  }
}

/** The argon2id hash of a password that passes the policy. */
export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  return hash(password, { algorithm: ARGON2ID });
}

/** Whether `password` matches `passwordHash`; false (never an exception) for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
