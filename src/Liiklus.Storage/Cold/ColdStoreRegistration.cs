using Liiklus.Storage.Cold.Postgres;
using Liiklus.Storage.Cold.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Liiklus.Storage.Cold;

public static class ColdStoreRegistration
{
    /// <summary>
    /// <see cref="ColdOptions"/> always, and the <see cref="IColdStore"/> they name unless cold storage is off. Nothing
    /// connects here: the gateway starts while the store is down, and archiving and replays wait for it.
    /// </summary>
    /// <exception cref="InvalidOperationException">the named store's settings cannot work, naming the setting</exception>
    public static IServiceCollection AddColdStore(this IServiceCollection services, ColdOptions options)
    {
        services.AddSingleton(options);
        switch (options.Type)
        {
            case ColdStoreType.S3:
                Check(options.S3);
                return services.AddSingleton<IColdStore>(provider =>
                    new S3ColdStore(options.S3, provider.GetRequiredService<ILogger<S3ColdStore>>()));
            case ColdStoreType.Postgres:
                Check(options.Postgres);
                // A factory, so the container disposes the store and with it the connection pool when the gateway stops.
                return services.AddSingleton<IColdStore>(provider =>
                    new PostgresColdStore(options.Postgres, provider.GetRequiredService<ILogger<PostgresColdStore>>()));
            default:
                return services;
        }
    }

    private static void Check(S3ColdOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            throw new InvalidOperationException("cold_type S3 needs cold_s3_bucket (liiklus.cold.s3.bucket), the bucket's name");
        }

        if (options.Endpoint is { } endpoint &&
            (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"cold_s3_endpoint '{endpoint}' is not an absolute http(s) URL");
        }
    }

    private static void Check(PostgresColdOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException(
                "cold_type POSTGRES needs cold_postgres_connectionString (liiklus.cold.postgres.connection-string), " +
                "an Npgsql connection string such as Host=db;Database=liiklus;Username=liiklus;Password=...");
        }

        try
        {
            _ = options.Endpoint;
        }
        catch (ArgumentException e)
        {
            // Npgsql names the keyword it cannot read, never a value, so the password stays out of the message.
            throw new InvalidOperationException($"cold_postgres_connectionString is not an Npgsql connection string: {e.Message}", e);
        }
    }
}
