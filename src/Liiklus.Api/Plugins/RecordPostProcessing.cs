using Grpc.Core;
using Liiklus.Actors.Receiving;
using Liiklus.Plugins;

namespace Liiklus.Api.Plugins;

/// <summary>
/// Runs every record on its way to a Receive call through the record post-processors, in the reverse of their
/// configured order. A processor may replace what is delivered or drop the record; one that throws ends that one
/// call with INTERNAL naming it.
/// </summary>
public sealed class RecordPostProcessing
{
    private readonly IReadOnlyList<(string Name, IRecordPostProcessor Processor)> _processors;
    private readonly ILogger<RecordPostProcessing> _logger;

    public RecordPostProcessing(IEnumerable<IRecordPostProcessor> processors, PluginSettings settings, ILogger<RecordPostProcessing> logger)
    {
        _processors = ProcessorOrder.Sort(processors, settings.Orders).Reverse().Select(p => (ProcessorOrder.NameOf(p), p)).ToList();
        _logger = logger;
    }

    public bool IsEmpty => _processors.Count == 0;

    public IEnumerable<string> Names => _processors.Select(p => p.Name);

    /// <param name="topic">the topic the record was read from</param>
    /// <returns>the record to deliver (the same one when no processor changed it), or null when it is dropped</returns>
    /// <exception cref="RpcException">INTERNAL: a processor failed</exception>
    public ReceivedRecord? Process(string topic, ReceivedRecord received)
    {
        var record = EnvelopeMapping.ToDeliveredRecord(topic, received.Record);
        var original = record.Envelope;
        foreach (var (name, processor) in _processors)
        {
            Envelope? next;
            try
            {
                next = processor.PostProcess(record);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Record post-processor {Processor} failed on offset {Offset} of {Topic}/{Partition}",
                    name, record.Offset, topic, record.Partition);
                throw new RpcException(new Status(
                    StatusCode.Internal,
                    $"record post-processor {name} failed on offset {record.Offset} of partition {record.Partition}"));
            }

            if (next is null)
            {
                return null;
            }

            record = ReferenceEquals(next, record.Envelope) ? record : record with { Envelope = next };
        }

        return ReferenceEquals(record.Envelope, original) ? received : EnvelopeMapping.ToReceivedRecord(received, record.Envelope);
    }
}
