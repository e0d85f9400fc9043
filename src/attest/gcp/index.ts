export { parseComputeEngineClaims, type ComputeEngineClaims, type ComputeEngineParse } from './compute-engine.js';
export { GOOGLE_ALGORITHMS, GOOGLE_ISSUERS, GOOGLE_JWKS_URI } from './google.js';
export { verifyGcpIdentityToken, type GcpVerifyOptions } from './verify.js';
