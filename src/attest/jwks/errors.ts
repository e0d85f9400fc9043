/** Stable codes for key-source configuration mistakes, thrown when a key source is created. */
export type KeySourceConfigErrorCode = 'invalid_jwks_uri' | 'insecure_jwks_uri' | 'invalid_option' | 'invalid_jwks';

/** A key source was configured wrongly. Thrown at creation only, never while verifying a token. */
export class KeySourceConfigError extends Error {
  override readonly name = 'KeySourceConfigError';
  constructor(
    readonly code: KeySourceConfigErrorCode,
    message: string,
  ) {
    super(message);
  }
}
