using Liiklus.Plugins;

namespace Liiklus.Api.Plugins;

/// <summary>Loads the plugins at start and registers the processor chains the gRPC service runs.</summary>
public static class PluginRegistration
{
    /// <summary>
    /// Every <see cref="IRecordPreProcessor"/> and <see cref="IRecordPostProcessor"/> registered in the container
    /// joins the chains: the plugins' processors (registered here), the schema validator, and any a host adds.
    /// </summary>
    /// <exception cref="InvalidOperationException">a plugin cannot be loaded (the message names it)</exception>
    public static IServiceCollection AddRecordProcessors(this IServiceCollection services, PluginSettings settings)
    {
        var folder = PluginLoader.Load(settings);
        foreach (var processor in folder.Processors)
        {
            if (processor is IRecordPreProcessor pre)
            {
                services.AddSingleton(pre);
            }

            if (processor is IRecordPostProcessor post)
            {
                services.AddSingleton(post);
            }
        }

        return services
            .AddSingleton(settings)
            .AddSingleton(folder)
            .AddSingleton<RecordPreProcessing>()
            .AddSingleton<RecordPostProcessing>()
            .AddHostedService<RecordProcessorsAnnouncement>();
    }
}
