using Grpc.Health.V1;
using Grpc.HealthCheck;
using Liiklus.Api.Configuration;

namespace Liiklus.Api.Operations.Health;

/// <summary>
/// A stopping node drains: from the first step of its shutdown it reports the Liiklus service NOT_SERVING (pushed to
/// grpc.health.v1 watchers at once, and in every Check and /health/ready answer), then keeps serving, streams included,
/// for <see cref="OperationsSettings.DrainDelay"/> so load balancers stop sending calls before streams end and the
/// node stops listening.
/// </summary>
public sealed class NodeDraining(
    IHostApplicationLifetime lifetime,
    HealthServiceImpl health,
    OperationsSettings settings,
    ILogger<NodeDraining> logger) : IHostedLifecycleService
{
    private int _draining;

    /// <summary>From the first step of the host's stop (before its stopping callbacks, which end the streams).</summary>
    public bool IsDraining => Volatile.Read(ref _draining) == 1 || lifetime.ApplicationStopping.IsCancellationRequested;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The host's first step of a stop: streams still run and calls are still accepted until it returns.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _draining, 1);
        health.SetStatus(OperationsRegistration.LiiklusServiceName, HealthCheckResponse.Types.ServingStatus.NotServing);
        logger.LogInformation("Draining: the Liiklus service reports NOT_SERVING; the node stops in {DrainDelay}", settings.DrainDelay);
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
