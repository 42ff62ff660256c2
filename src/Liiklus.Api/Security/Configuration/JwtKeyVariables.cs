using System.Text.Json;
using Akka.Configuration;

namespace Liiklus.Api.Security.Configuration;

/// <summary>
/// Liiklus's <c>grpc_auth_keys_&lt;kid&gt;</c> variables: one public key per key id, named by the variable's suffix
/// (<c>grpc_auth_keys_main</c> is the key of kid <c>main</c>), as <c>liiklus.grpc.auth.keys."&lt;kid&gt;"</c>.
/// </summary>
public static class JwtKeyVariables
{
    public const string Prefix = "grpc_auth_keys_";

    public static Config FromEnvironment(IEnumerable<string> names, Func<string, string?> environment)
    {
        var lines = names
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal) && name.Length > Prefix.Length)
            .Select(name => (Kid: name[Prefix.Length..], Value: environment(name)))
            .Where(key => !string.IsNullOrWhiteSpace(key.Value))
            // JSON string literals are valid quoted HOCON keys and values, whatever they hold.
            .Select(key => $"liiklus.grpc.auth.keys.{JsonSerializer.Serialize(key.Kid)} = {JsonSerializer.Serialize(key.Value!.Trim())}");
        return ConfigurationFactory.ParseString(string.Join('\n', lines));
    }
}
