namespace Liiklus.Api.WebConsole;

/// <summary>What the console asks the gateway before its first call: whether to ask for a token, and whether scopes count.</summary>
/// <param name="TokenRequired">every call needs a bearer token (JWT on)</param>
/// <param name="ScopesRequired">the token's scopes decide what it may do (<c>grpc_auth_requireScopes</c>)</param>
internal sealed record ConsoleSettingsReply(bool TokenRequired, bool ScopesRequired);
