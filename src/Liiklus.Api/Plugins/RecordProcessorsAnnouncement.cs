namespace Liiklus.Api.Plugins;

/// <summary>Says at start which record processors run, in their order, so an operator sees what the plugins did.</summary>
public sealed class RecordProcessorsAnnouncement(
    RecordPreProcessing preProcessing,
    RecordPostProcessing postProcessing,
    ILogger<RecordProcessorsAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
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
