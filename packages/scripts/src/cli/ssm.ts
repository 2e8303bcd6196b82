import type {
  DeleteParameterCommand,
  DeleteParameterCommandOutput,
  GetParameterCommand,
  GetParameterCommandOutput,
  GetParametersByPathCommand,
  GetParametersByPathCommandOutput,
  PutParameterCommand,
} from "@aws-sdk/client-ssm";
import { parameterPath } from "../../../../infra/runtime-config.js";
import { CliError } from "./errors.js";

export type SsmCommand = PutParameterCommand | GetParameterCommand | GetParametersByPathCommand | DeleteParameterCommand;

/** The part of the AWS SDK's SSMClient the CLI uses: the seam tests replace. */
export interface SsmSender {
  send(command: SsmCommand): Promise<unknown>;
}

/** The AWS SDK client, loaded only by the commands that need it. */
export async function awsSsm(region: string | undefined): Promise<SsmSender> {
  const { SSMClient } = await import("@aws-sdk/client-ssm");
  return new SSMClient(region ? { region } : {});
}

export interface Parameter {
  name: string;
  value: string;
  modified?: string;
}

/** How a SecureString shows: never decrypted by the CLI (nor by `sst deploy`). */
export const SECRET = "(secret)";

const notFound = (err: unknown) => err instanceof Error && err.name === "ParameterNotFound";

/** AWS's errors as one line (credentials, permissions, region). */
function awsError(err: unknown): CliError {
  const e = err instanceof Error ? err : new Error(String(err));
  return new CliError(`AWS SSM: ${e.name !== "Error" ? `${e.name}: ` : ""}${e.message.split("\n")[0] ?? ""}`);
}

/** A stage's settings in Parameter Store: plain String parameters under /llm-proxy/<stage>/. */
export class StageParameters {
  constructor(
    private readonly ssm: SsmSender,
    readonly stage: string,
  ) {}

  path(name: string): string {
    return `${parameterPath(this.stage)}${name}`;
  }

  /** `secure`: a SecureString (encrypted with the account's aws/ssm key), for secret settings. */
  async put(name: string, value: string, secure = false): Promise<void> {
    const { PutParameterCommand } = await import("@aws-sdk/client-ssm");
    await this.ssm
      .send(new PutParameterCommand({ Name: this.path(name), Value: value, Type: secure ? "SecureString" : "String", Overwrite: true, Description: "llm-proxy runtime setting (llm-proxy config:set)" }))
      .catch((err: unknown) => Promise.reject(awsError(err)));
  }

  async get(name: string): Promise<string | undefined> {
    const { GetParameterCommand } = await import("@aws-sdk/client-ssm");
    try {
      const out = (await this.ssm.send(new GetParameterCommand({ Name: this.path(name) }))) as GetParameterCommandOutput;
      return out.Parameter?.Type === "SecureString" ? SECRET : out.Parameter?.Value;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw awsError(err);
    }
  }

  async list(): Promise<Parameter[]> {
    const { GetParametersByPathCommand } = await import("@aws-sdk/client-ssm");
    const prefix = parameterPath(this.stage);
    const found: Parameter[] = [];
    let next: string | undefined;
    do {
      const out = (await this.ssm
        .send(new GetParametersByPathCommand({ Path: prefix, Recursive: false, NextToken: next }))
        .catch((err: unknown) => Promise.reject(awsError(err)))) as GetParametersByPathCommandOutput;
      for (const p of out.Parameters ?? []) {
        if (p.Name === undefined || p.Value === undefined) continue;
        found.push({ name: p.Name.slice(prefix.length), value: p.Type === "SecureString" ? SECRET : p.Value, modified: p.LastModifiedDate?.toISOString() });
      }
      next = out.NextToken;
    } while (next);
    return found.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** False when there was nothing to delete. */
  async remove(name: string): Promise<boolean> {
    const { DeleteParameterCommand } = await import("@aws-sdk/client-ssm");
    try {
      (await this.ssm.send(new DeleteParameterCommand({ Name: this.path(name) }))) as DeleteParameterCommandOutput;
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw awsError(err);
    }
  }
}
