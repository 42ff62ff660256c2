using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Liiklus.Client;

/// <summary>
/// Publishes values as CloudEvents with their calls pipelined: up to <see cref="LiiklusPublisherOptions.MaxInFlight"/>
/// Publish calls are on their way at once, and a publish past the bound waits for room. Each call's outcome is
/// its own: its result, or its failure, reaches only its caller. Thread-safe; it shares the client's channel.
/// </summary>
public sealed class LiiklusPublisher
{
    private readonly LiiklusClient _client;
    private readonly LiiklusPublisherOptions _options;
    private readonly SemaphoreSlim _room;
    private readonly ILogger _logger;
    private int _inFlight;

    /// <summary>A publisher through <paramref name="client"/>.</summary>
    /// <exception cref="ArgumentException">a setting cannot work</exception>
    public LiiklusPublisher(LiiklusClient client, LiiklusPublisherOptions? options = null, ILogger<LiiklusPublisher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _options = options ?? new LiiklusPublisherOptions();
        _options.Validate();
        _client = client;
        _room = new SemaphoreSlim(_options.MaxInFlight, _options.MaxInFlight);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Publish calls on their way now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Publishes <paramref name="data"/>, serialized, as a CloudEvent and waits until the gateway stored it. The
    /// key chooses the partition.
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">the gateway refused or did not answer</exception>
    /// <remarks>A serializer's exception is thrown as it is, and nothing is sent.</remarks>
    public async Task<PublishResult> PublishAsync<T>(string topic, T data, ReadOnlyMemory<byte> key = default, EventAttributes? attributes = null, CancellationToken cancellationToken = default)
    {
        var call = await StartPublishAsync(topic, data, key, attributes, cancellationToken).ConfigureAwait(false);
        return await call.ConfigureAwait(false);
    }

    /// <summary>
    /// Starts publishing <paramref name="data"/>: completes once the call is on its way (at once while fewer than
    /// <see cref="LiiklusPublisherOptions.MaxInFlight"/> are), with the task of the call's result. Loop over it to
    /// pipeline publishes with the bound as back-pressure.
    /// </summary>
    /// <remarks>A serializer's exception is thrown from this call, and nothing is sent.</remarks>
    public ValueTask<Task<PublishResult>> StartPublishAsync<T>(string topic, T data, ReadOnlyMemory<byte> key = default, EventAttributes? attributes = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var serializer = _options.Serializer;
        var cloudEvent = new CloudEvent(
            attributes?.Id ?? Guid.NewGuid().ToString(),
            attributes?.Type ?? _options.EventType(typeof(T)),
            attributes?.Source ?? _options.Source)
        {
            Time = attributes?.Time ?? DateTimeOffset.UtcNow,
            DataContentType = serializer.ContentType,
            Data = serializer.Serialize(data),
        };
        if (attributes?.Extensions is { } extensions)
        {
            cloudEvent = cloudEvent with { Extensions = extensions };
        }

        return StartPublishEventAsync(topic, cloudEvent, key, cancellationToken);
    }

    /// <summary>Starts publishing an event made whole by the caller, as it is; as <see cref="StartPublishAsync{T}"/>.</summary>
    public async ValueTask<Task<PublishResult>> StartPublishEventAsync(string topic, CloudEvent cloudEvent, ReadOnlyMemory<byte> key = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(cloudEvent);
        await _room.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _inFlight);
        return CallAsync(topic, cloudEvent, key, cancellationToken);
    }

    private async Task<PublishResult> CallAsync(string topic, CloudEvent cloudEvent, ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        using var activity = ConsumerTelemetry.StartPublishing(topic);
        try
        {
            if (!cloudEvent.Extensions.ContainsKey("traceparent") && (activity ?? Activity.Current) is { IdFormat: ActivityIdFormat.W3C } trace)
            {
                cloudEvent = cloudEvent with { Extensions = new Dictionary<string, string>(cloudEvent.Extensions) { ["traceparent"] = trace.Id! } };
            }

            var result = await _client.PublishAsync(topic, cloudEvent, key, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("messaging.destination.partition.id", result.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return result;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            _logger.LogDebug("Publishing event {EventId} to topic {Topic} failed: {Error}", cloudEvent.Id, topic, e.Message);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _room.Release();
        }
    }
}
