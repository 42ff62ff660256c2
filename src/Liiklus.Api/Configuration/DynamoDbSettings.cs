using Liiklus.Storage.Positions.DynamoDb;
using Config = Akka.Configuration.Config;

namespace Liiklus.Api.Configuration;

/// <summary>Reads <c>liiklus.storage.dynamodb</c>, the DynamoDB positions storage's settings (Liiklus's <c>dynamodb_*</c>).</summary>
public static class DynamoDbSettings
{
    /// <exception cref="InvalidOperationException">auto-create-table is not a boolean</exception>
    public static DynamoDbPositionsOptions From(Config liiklus)
    {
        var dynamodb = liiklus.GetConfig("storage.dynamodb");
        return new DynamoDbPositionsOptions
        {
            Endpoint = dynamodb.GetString("endpoint", "").Trim() is { Length: > 0 } endpoint ? endpoint : null,
            PositionsTable = dynamodb.GetString("positions-table", "").Trim(),
            AutoCreateTable = Boolean(dynamodb, "auto-create-table", "dynamodb_autoCreateTable"),
            CommandTimeout = dynamodb.GetTimeSpan("command-timeout"),
        };
    }

    private static bool Boolean(Config section, string key, string variable) =>
        section.GetString(key, "false").Trim().ToLowerInvariant() switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" or "" => false,
            var other => throw new InvalidOperationException($"{variable} '{other}' is not true or false"),
        };
}
