// The Node bindings (`incoming`, `outgoing`) ride along: the client IP is read from the socket.
type Fetch = (req: Request, env?: unknown) => Response | Promise<Response>;

/**
 * A fetch handler whose app is built on the first request: the admin UI's views, routes and the
 * Bootstrap files it reads cost memory that a proxy nobody browses never needs. A build that
 * fails answers that request with an error and is tried again on the next one.
 */
export function lazyFetch(build: () => Promise<{ fetch: Fetch }>): (req: Request, env?: unknown) => Promise<Response> {
  let app: Promise<{ fetch: Fetch }> | undefined;
  return async (req, env) => {
    app ??= build().catch((err: unknown) => {
      app = undefined;
      throw err;
    });
    return (await app).fetch(req, env);
  };
}
