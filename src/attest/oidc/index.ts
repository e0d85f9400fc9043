export { checkRegisteredClaims, type ClaimCheck, type ClaimExpectations } from './claims.js';
export { MAX_JWT_LENGTH, parseJwt, type JwtHeader, type JwtParse, type ParsedJwt } from './compact.js';
export {
  DEFAULT_CLOCK_SKEW_SECONDS,
  issuerConfigListSchema,
  issuerConfigSchema,
  parseIssuerConfig,
  type InlineJwks,
  type IssuerConfig,
  type IssuerConfigParse,
} from './config.js';
export { readIdentityClaim } from './identity-claim.js';
export { createOidcIssuer, type IssuerKeyOptions } from './issuer.js';
export { verifyJwt, type JwtExpectations, type JwtVerification, type VerifiedJwt } from './jwt.js';
export { nodeNameForIdentity } from './node-name.js';
export {
  selectOidcIssuer,
  verifyOidcToken,
  verifyOidcTokenFromIssuers,
  type IssuerSelection,
  type OidcIssuer,
  type OidcVerifyOptions,
} from './verify.js';
