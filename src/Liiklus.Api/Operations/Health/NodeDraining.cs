using Grpc.Health.V1;
using Grpc.HealthCheck;
using Liiklus.Api.Configuration;

namespace Liiklus.Api.Operations.Health;

/// <summary>
/// A stopping node drains: from the first moment of its shutdown it reports the Liiklus service NOT_SERVING (pushed to
/// grpc.health.v1 watchers at once, and in every Check and /health/ready answer), then keeps serving for
/// <see cref="OperationsSettings.DrainDelay"/> so load balancers stop sending calls before it stops listening.
/// </summary>
public sealed class NodeDraining(
    IHostApplicationLifetime lifetime,
    HealthServiceImpl health,
    OperationsSettings settings,
    ILogger<NodeDraining> logger) : IHostedLifecycleService
{
    public bool IsDraining => lifetime.ApplicationStopping.IsCancellationRequested;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() =>
        {
            health.SetStatus(OperationsRegistration.LiiklusServiceName, HealthCheckResponse.Types.ServingStatus.NotServing);
            logger.LogInformation(
                "Draining: the Liiklus service reports NOT_SERVING; the node stops in {DrainDelay}",
                settings.DrainDelay);
        });
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (settings.DrainDelay > TimeSpan.Zero)
        {
            // The host's shutdown timeout cuts the wait short rather than the node's own shutdown.
            await Task.Delay(settings.DrainDelay, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
