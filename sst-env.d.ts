/* Hand-written to match infra/: `sst dev` and `sst deploy` regenerate this file with the same shape. */
/* Lets app code read links through `Resource` from "sst" with types; the proxy reads the same
   links as SST_RESOURCE_<Name> JSON env in packages/proxy/src/config.ts. Only `sst dev` links
   them: deployed tasks get secrets as ECS `secrets` (see docs/deploy.md). */
import "sst";
export {};
declare module "sst" {
  export interface Resource {
    Cache: { host: string; password: string; port: number; type: "sst.aws.Redis"; username: string };
    Database: {
      clusterArn: string;
      database: string;
      host: string;
      password: string;
      port: number;
      reader: string;
      secretArn: string;
      type: "sst.aws.Aurora";
      username: string;
    };
    Dispatcher: { service: string; type: "sst.aws.Service" };
    DispatcherWebhookSecret: { type: "sst.sst.Secret"; value: string };
    EncryptionKey: { type: "sst.sst.Secret"; value: string };
    HeliconeApiKey: { type: "sst.sst.Secret"; value: string };
    LunaryApiKey: { type: "sst.sst.Secret"; value: string };
    ManagementToken: { type: "sst.sst.Secret"; value: string };
    Proxy: { service: string; type: "sst.aws.Service"; url: string };
  }
}
