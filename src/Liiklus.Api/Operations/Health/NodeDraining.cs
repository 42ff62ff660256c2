using Grpc.Health.V1;
using Grpc.HealthCheck;
using Liiklus.Api.Configuration;

namespace Liiklus.Api.Operations.Health;

/// <summary>
/// A stopping node drains: from the first sign of its shutdown (SIGTERM and Ctrl+C stop the application before the host
/// runs its stop, a host stopped by code starts with <see cref="StoppingAsync"/>) it reports the Liiklus service
/// NOT_SERVING (pushed to grpc.health.v1 watchers at once, and in every Check and /health/ready answer), then keeps
/// serving, Subscribe and Receive streams included, for <see cref="OperationsSettings.DrainDelay"/>, so load balancers
/// stop sending calls before the streams end (<see cref="Drained"/>) and the node stops listening.
/// </summary>
public sealed class NodeDraining(
    IHostApplicationLifetime lifetime,
    HealthServiceImpl health,
    OperationsSettings settings,
    ILogger<NodeDraining> logger) : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _drained = new();
    private readonly TaskCompletionSource _drainEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _onStopping;
    private int _draining;

    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    /// <summary>Cancelled when the drain is over: the streams still open end then.</summary>
    public CancellationToken Drained => _drained.Token;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // A signal stops the application first: ApplicationStopping is the drain's first moment, not the end of serving.
        _onStopping = lifetime.ApplicationStopping.Register(BeginDrain);
        return Task.CompletedTask;
    }

    /// <summary>The host's first step of a stop: calls are still accepted until the drain is over.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        BeginDrain();
        // The host's shutdown timeout cuts the wait short rather than the node's own shutdown.
        await _drainEnded.Task.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        EndDrain();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _onStopping.Dispose();
        _drained.Dispose();
    }

    private void BeginDrain()
    {
        if (Interlocked.Exchange(ref _draining, 1) == 1)
        {
            return;
        }

        health.SetStatus(OperationsRegistration.LiiklusServiceName, HealthCheckResponse.Types.ServingStatus.NotServing);
        logger.LogInformation("Draining: the Liiklus service reports NOT_SERVING; streams end and the node stops in {DrainDelay}", settings.DrainDelay);
        if (settings.DrainDelay > TimeSpan.Zero)
        {
            _ = Task.Delay(settings.DrainDelay).ContinueWith(_ => EndDrain(), TaskScheduler.Default);
        }
        else
        {
            EndDrain();
        }
    }

    private void EndDrain()
    {
        if (_drainEnded.TrySetResult())
        {
            _drained.Cancel();
        }
    }
}
