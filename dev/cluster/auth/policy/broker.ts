/**
 * The broker's least-privilege RBAC is defined once, by the operator CLI that installs it
 * (cli/setup/rbac.ts); the emulator preloads the same objects unless `seedBrokerRbac: false`.
 */
export {
  BROKER_CLUSTER_INFO_RULES,
  BROKER_CLUSTER_RULES,
  BROKER_SECRET_RULES,
  brokerRbac,
  brokerRbacManifests,
  type BrokerRbac,
  type BrokerRbacOptions,
} from '../../../../cli/setup/rbac.js';
