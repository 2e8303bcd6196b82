import type { AdminBackend } from "../backend/port.js";
import type { AdminContext, Flash } from "../context.js";
import type { PageFrame } from "../views/layout.js";

/** What the page routes share: the backend, the page frame of a request, and flash messages. */
export interface RouteDeps {
  backend: AdminBackend;
  frame(c: AdminContext): PageFrame;
  flash(c: AdminContext, flash: Flash): void;
  publicApiBaseUrl: string;
}
