import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
} from "@aws-sdk/client-ssm";
import type { SsmCommand, SsmSender } from "../src/cli/ssm.js";

/** Parameter Store in a Map, answering the SDK's command objects (AWS is unreachable here). */
export function fakeSsm() {
  const params = new Map<string, { value: string; type: string }>();
  const sent: SsmCommand[] = [];
  const regions: string[] = [];
  const notFound = () => Object.assign(new Error("parameter not found"), { name: "ParameterNotFound" });
  const sender: SsmSender = {
    async send(command) {
      sent.push(command);
      if (command instanceof PutParameterCommand) {
        params.set(command.input.Name ?? "", { value: command.input.Value ?? "", type: command.input.Type ?? "" });
        return { Version: 1 };
      }
      if (command instanceof GetParameterCommand) {
        const p = params.get(command.input.Name ?? "");
        if (!p) throw notFound();
        return { Parameter: { Name: command.input.Name, Value: p.value, Type: p.type } };
      }
      if (command instanceof GetParametersByPathCommand) {
        const prefix = command.input.Path ?? "";
        // One parameter per page, to exercise NextToken.
        const all = [...params].filter(([n]) => n.startsWith(prefix) && !n.slice(prefix.length).includes("/"));
        const start = Number(command.input.NextToken ?? 0);
        const page = all.slice(start, start + 1).map(([Name, p]) => ({ Name, Value: p.value, Type: p.type, LastModifiedDate: new Date("2026-01-01T00:00:00Z") }));
        return { Parameters: page, NextToken: start + 1 < all.length ? String(start + 1) : undefined };
      }
      if (command instanceof DeleteParameterCommand) {
        if (!params.delete(command.input.Name ?? "")) throw notFound();
        return {};
      }
      throw new Error("unexpected command");
    },
  };
  return {
    params,
    sent,
    regions,
    factory: (region: string) => {
      regions.push(region);
      return sender;
    },
  };
}
