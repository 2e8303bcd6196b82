/**
 * A configuration that cannot be used. The message has one line per problem, each naming the
 * variable and the forms it accepts; it never repeats a secret's value.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Collects every problem of one configuration, so a start fails once with all of them. */
export class Problems {
  readonly #lines: string[] = [];

  /** `variable` names the setting (or the SST link) the operator has to change. */
  add(variable: string, message: string): void {
    this.#lines.push(`${variable}: ${message}`);
  }

  get count(): number {
    return this.#lines.length;
  }

  /** Throws one ConfigError listing every problem so far; returns when there is none. */
  throwIfAny(): void {
    if (this.#lines.length > 0) this.fail();
  }

  /** Throws one ConfigError listing every problem so far (callers have added at least one). */
  fail(): never {
    throw new ConfigError(this.#lines.join("\n") || "invalid configuration");
  }
}
