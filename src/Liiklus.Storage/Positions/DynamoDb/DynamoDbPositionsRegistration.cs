using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Liiklus.Storage.Positions.DynamoDb;

public static partial class DynamoDbPositionsRegistration
{
    /// <summary>
    /// Positions in DynamoDB, in Liiklus's table layout. Nothing connects here; with
    /// <see cref="DynamoDbPositionsOptions.AutoCreateTable"/> the table is created on first use, so the gateway
    /// starts while DynamoDB cannot be reached and serves once it can.
    /// </summary>
    /// <exception cref="InvalidOperationException">no table name, or an endpoint that is not an absolute URL</exception>
    public static IServiceCollection AddDynamoDbPositionsStorage(this IServiceCollection services, DynamoDbPositionsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.PositionsTable))
        {
            throw new InvalidOperationException(
                "storage_positions_type DYNAMODB needs dynamodb_positionsTable (liiklus.storage.dynamodb.positions-table), the table's name");
        }

        if (!TableName().IsMatch(options.PositionsTable))
        {
            throw new InvalidOperationException(
                $"dynamodb_positionsTable '{options.PositionsTable}' is not a DynamoDB table name: 3 to 255 letters, digits, '_', '-' or '.'");
        }

        if (options.Endpoint is { Length: > 0 } endpoint
            && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            throw new InvalidOperationException(
                $"dynamodb_endpoint '{endpoint}' is not an absolute http(s) URL such as http://localhost:4567; leave it empty for AWS's endpoint");
        }

        // A factory, so the container disposes the storage and with it the client when the gateway stops.
        return services.AddSingleton<IPositionsStorage>(provider =>
            new DynamoDbPositionsStorage(options, provider.GetRequiredService<ILogger<DynamoDbPositionsStorage>>()));
    }

    [GeneratedRegex("^[a-zA-Z0-9_.-]{3,255}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableName();
}
