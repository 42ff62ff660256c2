// What the token lets the user do, read from its scope claim as the gateway reads it (TokenScopes): only to hide what
// would be refused; the gateway checks every call itself.
export type RightKind = "publish" | "consume" | "group" | "admin";

export class Rights {
  private constructor(private readonly patterns: Map<RightKind, string[]> | null) {}

  /** Every right: no token is asked for, or its scopes are not checked. */
  static readonly all = new Rights(null);

  static fromToken(token: string): Rights {
    const patterns = new Map<RightKind, string[]>([["publish", []], ["consume", []], ["group", []], ["admin", []]]);
    for (const scope of scopeClaim(token)) {
      const match = /^liiklus:(publish|consume|group|admin):(.+)$/.exec(scope);
      if (match) {
        patterns.get(match[1] as RightKind)!.push(match[2]);
      }
    }
    return new Rights(patterns);
  }

  grants(kind: RightKind, name: string): boolean {
    if (this.patterns === null) {
      return true;
    }
    const patterns = this.patterns.get(kind)!;
    // Group scopes restrict: a token without any may use every group name.
    if (kind === "group" && patterns.length === 0) {
      return true;
    }
    return patterns.some((p) => (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : p === name));
  }

  /** Whether some topic may be published to: the Produce screen is shown then. */
  any(kind: RightKind): boolean {
    return this.patterns === null || this.patterns.get(kind)!.length > 0;
  }
}

function scopeClaim(token: string): string[] {
  const payload = token.split(".")[1];
  if (!payload) {
    return [];
  }
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { scope?: unknown };
    const scope = json.scope;
    const values = Array.isArray(scope) ? scope : typeof scope === "string" ? [scope] : [];
    return values.flatMap((value) => String(value).split(" ").filter((s) => s.length > 0));
  } catch {
    return [];
  }
}
