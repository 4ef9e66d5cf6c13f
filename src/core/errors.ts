/**
 * The one error type the application raises on purpose. Its code comes from a closed union so that
 * every layer (the CLI's exit codes, later the API's HTTP statuses and the UI's messages) maps it
 * with an exhaustive switch; anything else that is thrown is an unexpected failure.
 */
export type ErrorCode = 'invalid-input' | 'not-found' | 'forbidden' | 'conflict' | 'unauthenticated' | 'too-large';

export type ErrorDetails = {
  file?: string;
  line?: number;
  column?: string | null;
  value?: string | null;
  field?: string;
  [key: string]: unknown;
};

export class KamertonError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'KamertonError';
    this.code = code;
    this.details = details;
  }
}

export function isKamertonError(error: unknown): error is KamertonError {
  return error instanceof KamertonError;
}
