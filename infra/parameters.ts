import { parameterPath, runtimeEnvironment, runtimeSecrets, type RuntimeService } from "./runtime-config";

export interface StageParameters {
  /** Plain settings (String parameters): container environment. */
  environment: Record<string, string>;
  /** Secret settings (SecureString parameters, e.g. METRICS_TOKEN): ECS `secrets` by parameter ARN. */
  secrets: Record<string, string>;
}

/**
 * The stage's runtime settings from SSM Parameter Store (`llm-proxy config:set`), read at deploy:
 * a changed parameter reaches the tasks with the next `sst deploy`, which a review can see.
 * SecureStrings are not decrypted here: the task definition references them and ECS injects the
 * value at task start, so it never sits in the task definition.
 */
export function stageParameters(service: RuntimeService): $util.Output<StageParameters> {
  const stage = $app.stage;
  const region = aws.getRegionOutput().region;
  const account = aws.getCallerIdentityOutput().accountId;
  const partition = aws.getPartitionOutput().partition;
  return $util
    .all([aws.ssm.getParametersByPathOutput({ path: parameterPath(stage), recursive: false, withDecryption: false }), region, account, partition])
    .apply(([p, r, a, part]) => {
      const names = p.names ?? [];
      const types = p.types ?? [];
      const plain = names.map((n, i) => (types[i] === "SecureString" ? "" : n));
      const secure = names.map((n, i) => (types[i] === "SecureString" ? n : ""));
      return {
        environment: runtimeEnvironment(service, stage, plain, p.values ?? []),
        secrets: runtimeSecrets(service, stage, secure, (name) => `arn:${part}:ssm:${r}:${a}:parameter${name}`),
      };
    });
}
