using System.Diagnostics.Metrics;

namespace Liiklus.Tests.Client;

/// <summary>The consumers' <c>liiklus.client.ack.flushes</c> for one topic, batch and other reasons apart.</summary>
public sealed class AckFlushCount : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _batch;
    private long _other;

    public AckFlushCount(string topic)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Liiklus.Client" && instrument.Name == "liiklus.client.ack.flushes")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? ofTopic = null, reason = null;
            foreach (var tag in tags)
            {
                ofTopic = tag.Key == "topic" ? tag.Value as string : ofTopic;
                reason = tag.Key == "reason" ? tag.Value as string : reason;
            }

            if (ofTopic == topic)
            {
                Interlocked.Add(ref reason == "batch" ? ref _batch : ref _other, value);
            }
        });
        _listener.Start();
    }

    public long Batch => Interlocked.Read(ref _batch);

    public long Other => Interlocked.Read(ref _other);

    public void Dispose() => _listener.Dispose();
}
