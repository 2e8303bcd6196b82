/** The admin UI's public surface: the composition root wires these (see docs/admin-ui.md). */
export { createAdminApp, type AdminOptions } from "./app.js";
export type { AdminBackend, BackendHealth, BrowserInfo, CallContext, PipelineHealth } from "./backend/port.js";
export { inProcessBackend, type InProcessOptions } from "./backend/in-process.js";
export { httpBackend, type HttpBackendOptions } from "./backend/http.js";
export { runStandaloneAdmin, type StandaloneAdminOptions } from "./standalone.js";
