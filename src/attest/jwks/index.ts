export { JWS_ALGORITHMS, JWS_ALGORITHM_NAMES, jwsAlgorithm, type JwsAlgorithm } from './algorithms.js';
export { KeySourceConfigError, type KeySourceConfigErrorCode } from './errors.js';
export { parseJwkSet, type JwkSetParse, type PublicJwk } from './jwk-set.js';
export type { KeyRequest, KeyResult, KeySource } from './key-source.js';
export { createJwksKeySource, type JwksFetch, type JwksKeySourceOptions } from './remote.js';
export { createStaticKeySource } from './static.js';
