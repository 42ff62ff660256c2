using Akka.Configuration;
using Liiklus.Api.Configuration;

namespace Liiklus.Api.Hosting;

/// <summary>Warns at start about keys under <c>liiklus</c> the gateway does not know: a misspelled key is otherwise ignored.</summary>
public sealed class UnknownSettingsWarning(Config config, ILogger<UnknownSettingsWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var key in SettingsReader.UnknownKeys(config, GatewayHocon.Defaults(), GatewaySettings.FreeFormSections))
        {
            logger.LogWarning("Unknown setting {Key} is ignored; see hocon/liiklus.conf for the gateway's settings", key);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
