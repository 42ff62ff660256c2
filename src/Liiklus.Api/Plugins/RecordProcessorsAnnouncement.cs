namespace Liiklus.Api.Plugins;

/// <summary>
/// Says at start which plugins folder is in use and what it held, and which record processors run, in their order, so
/// an operator sees what the plugins did (or that a folder they meant was not the one looked at).
/// </summary>
public sealed class RecordProcessorsAnnouncement(
    PluginFolder folder,
    RecordPreProcessing preProcessing,
    RecordPostProcessing postProcessing,
    ILogger<RecordProcessorsAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!folder.Exists)
        {
            logger.LogInformation("No plugins folder at {PluginsDirectory}: no plugin loaded", folder.Directory);
        }
        else if (folder.Assemblies.Count == 0)
        {
            logger.LogInformation("Plugins folder {PluginsDirectory} holds no plugin", folder.Directory);
        }
        else
        {
            logger.LogInformation(
                "Plugins folder {PluginsDirectory}: loaded {Plugins}",
                folder.Directory,
                string.Join(", ", folder.Assemblies.Select(Path.GetFileName)));
        }

        if (!preProcessing.IsEmpty)
        {
            logger.LogInformation("Record pre-processors, in order: {Processors}", string.Join(", ", preProcessing.Names));
        }

        if (!postProcessing.IsEmpty)
        {
            logger.LogInformation("Record post-processors, in order: {Processors}", string.Join(", ", postProcessing.Names));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
