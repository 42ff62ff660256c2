using Liiklus.Storage.Positions.DynamoDb;

namespace Liiklus.Api.Configuration;

/// <summary>Reads <c>liiklus.storage.dynamodb</c>, the DynamoDB positions storage's settings (Liiklus's <c>dynamodb_*</c>).</summary>
public static class DynamoDbSettings
{
    public static DynamoDbPositionsOptions From(SettingsReader read) => new()
    {
        Endpoint = read.String("liiklus.storage.dynamodb.endpoint").Trim() is { Length: > 0 } endpoint ? endpoint : null,
        PositionsTable = read.String("liiklus.storage.dynamodb.positions-table").Trim(),
        AutoCreateTable = read.Bool("liiklus.storage.dynamodb.auto-create-table"),
        CommandTimeout = read.Duration("liiklus.storage.dynamodb.command-timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)),
    };
}
