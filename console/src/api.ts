// The console's door to the gateway: gRPC-Web on the page's own origin (the operations port), every call carrying the
// token the user gave, if any.
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { LiiklusAdminService } from "./gen/admin_pb";
import { LiiklusService } from "./gen/liiklus_pb";

const tokenKey = "liiklus.console.token";

export interface GatewaySettings {
  tokenRequired: boolean;
  scopesRequired: boolean;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function storeToken(token: string | null): void {
  if (token === null) {
    sessionStorage.removeItem(tokenKey);
  } else {
    sessionStorage.setItem(tokenKey, token);
  }
}

const bearer: Interceptor = (next) => (request) => {
  const token = storedToken();
  if (token !== null) {
    request.header.set("authorization", `Bearer ${token}`);
  }
  return next(request);
};

const transport = createGrpcWebTransport({ baseUrl: window.location.origin, interceptors: [bearer] });

export const admin: Client<typeof LiiklusAdminService> = createClient(LiiklusAdminService, transport);
export const liiklus: Client<typeof LiiklusService> = createClient(LiiklusService, transport);

export async function loadSettings(): Promise<GatewaySettings> {
  const response = await fetch("/console/settings.json", { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`/console/settings.json answered ${response.status}`);
  }
  return (await response.json()) as GatewaySettings;
}

/** A refusal the user can act on (a token to give again) told apart from any other failure. */
export function isAuthFailure(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Unauthenticated;
}

export function describeError(error: unknown): string {
  if (error instanceof ConnectError) {
    return `${Code[error.code]}: ${error.rawMessage}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function isAbort(error: unknown): boolean {
  return (error instanceof ConnectError && error.code === Code.Canceled) ||
    (error instanceof DOMException && error.name === "AbortError");
}
