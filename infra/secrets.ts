/**
 * Every secret the services need, set per stage with `sst secret set <Name> <value> --stage <stage>`
 * (or `npm run setup -- --stage <stage>`). Deployed tasks never get these as links or plain
 * environment: `createSecretStore` copies them into one Secrets Manager secret that the task
 * definitions reference (`valueFrom`), so ECS injects them at task start. Under `sst dev` the
 * local processes get them as links (SST_RESOURCE_<Name>), which the services also read.
 */
export function createSecrets() {
  return {
    /** Bearer token of the /manage API and the admin UI login (≥ 16 characters). */
    managementToken: new sst.Secret("ManagementToken"),
    /** base64 of 32 bytes (`openssl rand -base64 32`): encrypts stored upstream API keys. */
    encryptionKey: new sst.Secret("EncryptionKey"),
    // Sink keys are optional: an empty value leaves that secret out of the dispatcher's task.
    lunaryApiKey: new sst.Secret("LunaryApiKey", ""),
    heliconeApiKey: new sst.Secret("HeliconeApiKey", ""),
    dispatcherWebhookSecret: new sst.Secret("DispatcherWebhookSecret", ""),
  };
}

export type Secrets = ReturnType<typeof createSecrets>;

/** The dispatcher's LLM_PROXY_API_KEY is the key of the sink it runs (DISPATCHER_SERVICE from `config:set`). */
export const sinkKeyName = (sink: string | undefined) => (sink === "lunary" ? "LUNARY_API_KEY" : sink === "helicone" ? "HELICONE_API_KEY" : undefined);

/** The values `createSecretStore` keeps, by JSON key; each service references the ones it needs. */
export function storedSecrets(secrets: Secrets, redisPassword: $util.Input<string>) {
  return {
    MANAGEMENT_TOKEN: secrets.managementToken.value,
    ENCRYPTION_KEY: secrets.encryptionKey.value,
    REDIS_PASSWORD: redisPassword,
    LUNARY_API_KEY: secrets.lunaryApiKey.value,
    HELICONE_API_KEY: secrets.heliconeApiKey.value,
    DISPATCHER_WEBHOOK_SECRET: secrets.dispatcherWebhookSecret.value,
  };
}

export interface SecretStore {
  /** JSON key → value reference for ECS `secrets` (`<secret arn>:<json key>::`); non-empty values only. */
  references: $util.Output<Record<string, string>>;
  /**
   * Changes with every new value: put into the task environment, it makes `sst deploy` roll the
   * tasks after `sst secret set` (the ARN alone stays the same, and ECS reads secrets at task start).
   */
  version: $util.Output<string>;
}

/**
 * One Secrets Manager secret holding the stage's non-empty secret values as JSON keys named after
 * their variables ($0.40/month, whatever the number of keys). ECS fails to start a task whose
 * reference names a missing key, so only non-empty values get a key and a reference.
 */
export function createSecretStore(name: string, values: Record<string, $util.Input<string>>): SecretStore {
  const present = $util.all(values).apply((all) => Object.fromEntries(Object.entries(all).filter(([, v]) => v !== "")));
  const secret = new aws.secretsmanager.Secret(name, { description: `${$app.name} ${$app.stage}: secrets injected into the ECS tasks`, recoveryWindowInDays: 0 });
  const version = new aws.secretsmanager.SecretVersion(`${name}Version`, { secretId: secret.id, secretString: $util.secret(present.apply((v) => JSON.stringify(v))) });
  return {
    version: version.versionId,
    // Which keys exist is not secret (only whether an optional sink key is set); the values stay secret.
    references: $util.unsecret($util.all([secret.arn, present.apply((v) => Object.keys(v))]).apply(([arn, keys]) => Object.fromEntries(keys.map((key) => [key, `${arn}:${key}::`])))),
  };
}

/**
 * ECS `secrets` entries: environment variable → JSON key of the store, for the keys present.
 * `extra` are references made elsewhere (the Aurora password, SecureString parameters).
 */
export function taskSecrets(store: SecretStore, variables: Record<string, string | undefined>, extra: $util.Input<Record<string, $util.Input<string>>>) {
  return $util.all([store.references, extra]).apply(([refs, more]) => {
    const out: Record<string, string> = {};
    for (const [variable, key] of Object.entries(variables)) {
      const ref = key === undefined ? undefined : refs[key];
      if (ref !== undefined) out[variable] = ref;
    }
    return { ...out, ...more };
  });
}
