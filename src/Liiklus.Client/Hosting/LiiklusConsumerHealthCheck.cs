using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Liiklus.Client;

/// <summary>
/// Healthy when every hosted consumer is subscribed; degraded while one subscribes for the first time; unhealthy
/// while one cannot reach its gateway. Add it with <c>services.AddHealthChecks().AddCheck&lt;LiiklusConsumerHealthCheck&gt;("liiklus")</c>.
/// </summary>
public sealed class LiiklusConsumerHealthCheck(IEnumerable<LiiklusConsumerService> consumers) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = consumers.Select(c => c.Consumer).ToList();
        var data = states.ToDictionary(c => $"{c.Group.Topic}/{c.Group.Name}", c => (object)c.State.ToString());
        if (states.FirstOrDefault(c => c.State == ConsumerState.Reconnecting) is { } failing)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"Consumer of group {failing.Group.Name} on topic {failing.Group.Topic} cannot reach its gateway",
                failing.LastError,
                data));
        }

        if (states.FirstOrDefault(c => c.State != ConsumerState.Subscribed) is { } waiting)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"Consumer of group {waiting.Group.Name} on topic {waiting.Group.Topic} is {waiting.State}",
                data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy($"{states.Count} consumers subscribed", data));
    }
}
