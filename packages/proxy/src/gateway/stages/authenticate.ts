import { peerOfRequest } from "../../api/client-ip.js";
import { isProblem, problem, type Problem } from "../../errors.js";
import type { ActiveToken, ProjectEntry } from "../access.js";
import type { GatewayDeps } from "../deps.js";
import type { Exchange, Outcome } from "../exchange.js";

const NO_BEARER = problem("invalid_token", "missing or malformed Authorization header");
const PROJECT_INACTIVE = problem("project_inactive");

/** The secret of an `Authorization: Bearer …` header, or "" when there is none. */
export function bearer(header: string | undefined): string {
  if (!header) return "";
  const space = header.indexOf(" ");
  return space > 0 && header.slice(0, space).toLowerCase() === "bearer" ? header.slice(space + 1).trim() : "";
}

type Deps = Pick<GatewayDeps, "access" | "enforceProjectActive" | "auditDenied" | "clientIp" | "logger">;

/**
 * Bearer → token → project active, before any byte of the body is read: a request without a
 * valid token costs the proxy its headers only. Synchronous when both answers are cached.
 */
export function authenticate(x: Exchange, deps: Deps): Outcome | Promise<Outcome> {
  const secret = bearer(x.req.headers.authorization);
  if (!secret) return NO_BEARER;
  const token = deps.access.token(secret);
  return token instanceof Promise ? token.then((t) => withToken(x, deps, secret, t)) : withToken(x, deps, secret, token);
}

function withToken(x: Exchange, deps: Deps, secret: string, token: ActiveToken | Problem): Outcome | Promise<Outcome> {
  if (isProblem(token)) return token;
  x.secret = secret;
  x.token = token;
  const project = deps.access.project(token.projectId);
  return project instanceof Promise ? project.then((p) => withProject(x, deps, p)) : withProject(x, deps, project);
}

function withProject(x: Exchange, deps: Deps, project: ProjectEntry | Problem): Outcome | Promise<Outcome> {
  if (isProblem(project)) return project;
  if (deps.enforceProjectActive && !project.isActive) {
    const projectId = (x.token as ActiveToken).projectId;
    return deps
      .auditDenied({ projectId, requestId: x.requestId, clientIp: deps.clientIp(peerOfRequest(x.req)), userAgent: x.req.headers["user-agent"], method: x.method, path: x.path, reason: "project_inactive" })
      .catch((err: unknown) => deps.logger.error({ err }, "audit write failed"))
      .then(() => PROJECT_INACTIVE);
  }
  x.project = project;
  return "continue";
}
