import type { Command } from "../cli/command.js";
import { auditList } from "./audit-list.js";
import { bench } from "./bench.js";
import { cachePurge } from "./cache-purge.js";
import { chat } from "./chat.js";
import { configGet } from "./config-get.js";
import { configList } from "./config-list.js";
import { configSet } from "./config-set.js";
import { configUnset } from "./config-unset.js";
import { cost } from "./cost.js";
import { projectCreate } from "./project-create.js";
import { projectDeactivate } from "./project-deactivate.js";
import { projectGet } from "./project-get.js";
import { projectList } from "./project-list.js";
import { projectUpdate } from "./project-update.js";
import { secretGet } from "./secret-get.js";
import { secretList } from "./secret-list.js";
import { secretRemove } from "./secret-remove.js";
import { secretSet } from "./secret-set.js";
import { setup } from "./setup.js";
import { tokenCreate } from "./token-create.js";
import { tokenGet } from "./token-get.js";
import { tokenList } from "./token-list.js";
import { tokenRevoke } from "./token-revoke.js";
import { tokenRevokeAll } from "./token-revoke-all.js";
import { tokenUpdate } from "./token-update.js";
import { usageGet } from "./usage-get.js";
import { usageSpend } from "./usage-spend.js";

/** Every command, in the order --help lists them. */
export const commands: Command[] = [
  setup,
  secretSet, secretGet, secretList, secretRemove,
  configSet, configGet, configList, configUnset,
  projectList, projectGet, projectCreate, projectUpdate, projectDeactivate,
  tokenCreate, tokenList, tokenGet, tokenUpdate, tokenRevoke, tokenRevokeAll,
  auditList, usageGet, usageSpend, cachePurge,
  chat, bench, cost,
];
