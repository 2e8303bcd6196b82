/**
 * Every secret the services need, set per stage with `sst secret set <Name> <value> --stage <stage>`
 * (or `npm run setup -- --stage <stage>`). Link names are the contract with
 * packages/proxy/src/config.ts: keep them as they are.
 */
export function createSecrets() {
  return {
    /** Bearer token of the /manage API and the admin UI login (≥ 16 characters). */
    managementToken: new sst.Secret("ManagementToken"),
    /** base64 of 32 bytes (`openssl rand -base64 32`): encrypts stored upstream API keys. */
    encryptionKey: new sst.Secret("EncryptionKey"),
    // Sink keys are optional: an empty value leaves that sink off.
    lunaryApiKey: new sst.Secret("LunaryApiKey", ""),
    heliconeApiKey: new sst.Secret("HeliconeApiKey", ""),
  };
}

export type Secrets = ReturnType<typeof createSecrets>;
