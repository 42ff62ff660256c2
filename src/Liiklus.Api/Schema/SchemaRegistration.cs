using Liiklus.Plugins;

namespace Liiklus.Api.Schema;

/// <summary>Registers Liiklus's schema validation as a record pre-processor when <c>schema_enabled</c> is true.</summary>
public static class SchemaRegistration
{
    /// <exception cref="InvalidOperationException">the schema document is missing or invalid (the message says which and why)</exception>
    public static IServiceCollection AddSchemaValidation(this IServiceCollection services, SchemaSettings settings)
    {
        if (!settings.Enabled || settings.SchemaUrl is not { } url)
        {
            return services;
        }

        var initial = SchemaDocumentSource.LoadAtStart(url);
        return services
            .AddSingleton(settings)
            .AddSingleton(provider => new SchemaDocumentSource(url, initial, provider.GetRequiredService<ILogger<SchemaDocumentSource>>()))
            .AddHostedService(provider => provider.GetRequiredService<SchemaDocumentSource>())
            .AddSingleton<IRecordPreProcessor, JsonSchemaPreProcessor>();
    }
}
