/**
 * Every AWS-visible name a stack with a given configuration creates, from the concerns' plain
 * modules, so configuration can check them against AWS's name rules before any construct exists.
 */
import { auditAwsNames } from "../audit/audit-facts";
import { AwsName } from "../aws/limits";
import { regionalGuardrailAwsNames } from "../guardrails/guardrail-facts";
import { identityAwsNames } from "../identity/identity-facts";
import { networkAwsNames } from "../network/network-facts";
import { replicationAwsNames, storageAwsNames } from "../storage/storage-facts";
import type { StackConfig } from "./model";

export function stackAwsNames(config: StackConfig, accountId: string): AwsName[] {
  const naming = { project: config.project, environment: config.environment };
  const owner = config.manageAccountSettings;
  return [
    ...identityAwsNames(naming),
    ...(owner ? auditAwsNames(naming, accountId) : []),
    ...(config.replication ? replicationAwsNames(naming, config.regions.map(({ region }) => region)) : []),
    ...config.regions.flatMap(({ region }) => [
      ...networkAwsNames({ ...naming, region }),
      ...storageAwsNames({ ...naming, region }, accountId),
    ]),
    ...(owner ? config.guardrailRegions.flatMap((region) => regionalGuardrailAwsNames({ ...naming, region })) : []),
  ];
}
