import { parameterPath, runtimeEnvironment, type RuntimeService } from "./runtime-config";

/**
 * The stage's runtime settings from SSM Parameter Store (`llm-proxy config:set`), read at deploy:
 * a changed parameter reaches the tasks with the next `sst deploy`, which a review can see.
 */
export function stageParameters(service: RuntimeService) {
  const stage = $app.stage;
  return aws.ssm
    .getParametersByPathOutput({ path: parameterPath(stage), recursive: false, withDecryption: true })
    .apply((p) => runtimeEnvironment(service, stage, p.names ?? [], p.values ?? []));
}
