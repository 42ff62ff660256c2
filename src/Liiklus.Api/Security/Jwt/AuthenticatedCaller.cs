using Liiklus.Api.Security.Scopes;

namespace Liiklus.Api.Security.Jwt;

/// <summary>Who a valid token speaks for (its <c>sub</c>), and the rights its <c>scope</c> claim grants.</summary>
public sealed record AuthenticatedCaller(string Subject, TokenScopes Scopes);
