using Microsoft.IdentityModel.Tokens;

namespace Liiklus.Api.Security.Jwt;

/// <summary>One key tokens may be signed with, the algorithms it verifies, and the checks a token must pass with it.</summary>
public sealed record SigningKey(SecurityKey Key, IReadOnlySet<string> Algorithms, TokenValidationParameters Validation);
