namespace Liiklus.Api.Security.Jwt;

/// <summary>A call's token was refused; the message says why, in words fit for the client (no token, no key).</summary>
public sealed class AuthenticationFailure(string message) : Exception(message);
