import type { Context } from "./context.js";
import { println } from "./context.js";
import type { Prompter } from "./prompt.js";
import { checkSecretValue, generateEncryptionKey, generateManagementToken } from "./secrets.js";
import type { StageParameters } from "./ssm.js";
import { isSecretSetting } from "./settings.js";
import { listSecrets, SECRETS, setSecret, type SecretName } from "./sst.js";

export interface StagePlan {
  stage: string;
  interactive: boolean;
  rotateManagementToken: boolean;
  skipSinks: boolean;
  config: Map<string, string>;
}

const SINKS: [SecretName, env: string, label: string][] = [
  ["LunaryApiKey", "LUNARY_API_KEY", "Lunary API key"],
  ["HeliconeApiKey", "HELICONE_API_KEY", "Helicone API key"],
];

/** Decides every secret's new value (undefined = leave as is) before anything is written. */
async function decideSecrets(plan: StagePlan, existing: Map<string, string>, prompter: Prompter, ctx: Context) {
  const values = new Map<SecretName, string>();
  const hasToken = existing.has("ManagementToken");
  const keepToken = hasToken && !plan.rotateManagementToken && (!plan.interactive || (await prompter.confirm("ManagementToken is already set. Keep it?", true)));
  if (!keepToken) values.set("ManagementToken", generateManagementToken());
  // Never replaced here: upstream keys already stored are sealed with it.
  if (!existing.has("EncryptionKey")) values.set("EncryptionKey", generateEncryptionKey());
  else prompter.say("EncryptionKey is already set: kept (stored upstream keys are encrypted with it).");
  if (plan.skipSinks) return values;
  for (const [name, env, label] of SINKS) {
    const value = plan.interactive
      ? (await prompter.secret(`${label} (optional; Enter to ${existing.has(name) ? "keep the current one" : "skip"}): `))?.trim()
      : ctx.env[env]?.trim();
    if (value) values.set(name, value);
  }
  return values;
}

/** `setup --stage X`: secrets through sst (values on stdin), settings into Parameter Store. */
export async function setupStage(plan: StagePlan, ctx: Context, prompter: Prompter, parameters: () => Promise<StageParameters>): Promise<void> {
  const existing = await listSecrets(ctx, plan.stage);
  // Reach Parameter Store (credentials, region) before changing any secret.
  const params = plan.config.size > 0 ? await parameters() : undefined;
  await params?.list();
  const secrets = await decideSecrets(plan, existing, prompter, ctx);
  for (const [name, value] of secrets) checkSecretValue(name, value);
  for (const [name, value] of secrets) {
    await setSecret(ctx, plan.stage, name, value);
    println(ctx.stdout, `secret ${name}: ${existing.has(name) ? "replaced" : "set"}`);
  }
  for (const name of SECRETS) {
    if (!secrets.has(name) && existing.has(name)) println(ctx.stdout, `secret ${name}: kept`);
  }
  for (const [name, value] of plan.config) {
    await params?.put(name, value, isSecretSetting(name));
    println(ctx.stdout, `config ${params?.path(name) ?? name} = ${isSecretSetting(name) ? "(secret: SecureString)" : value}`);
  }
  const s = plan.stage;
  println(ctx.stdout);
  println(ctx.stdout, "Next:");
  println(ctx.stdout, `  npx sst deploy --stage ${s}`);
  println(ctx.stdout, "  export LLM_PROXY_API_URL=<the url sst deploy prints>");
  println(ctx.stdout, `  export MANAGEMENT_TOKEN=$(npx llm-proxy secret get ManagementToken --stage ${s} --reveal)`);
  println(ctx.stdout, "  npx llm-proxy project create --name my-app --api-key-stdin < openai-key.txt");
  println(ctx.stdout, "  npx llm-proxy token create --project <project id>");
}
