using Grpc.Core;
using Liiklus.Api.Configuration;
using Liiklus.Api.Grpc;
using Liiklus.Plugins;
using Liiklus.Protocol;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Plugins;

/// <summary>
/// Runs every publish through the record pre-processors, in their configured order. A refusal answers the
/// processor's status; a processor that throws or answers an invalid record fails that one publish with INTERNAL
/// naming it. A record a processor changed is validated again as a client's would be (fields, size limit).
/// </summary>
public sealed class RecordPreProcessing
{
    private readonly IReadOnlyList<(string Name, IRecordPreProcessor Processor)> _processors;
    private readonly int _maxRecordSizeBytes;
    private readonly ILogger<RecordPreProcessing> _logger;

    public RecordPreProcessing(
        IEnumerable<IRecordPreProcessor> processors,
        PluginSettings settings,
        GatewaySettings gateway,
        ILogger<RecordPreProcessing> logger)
    {
        _processors = ProcessorOrder.Sort(processors, settings.Orders).Select(p => (ProcessorOrder.NameOf(p), p)).ToList();
        _maxRecordSizeBytes = gateway.MaxRecordSizeBytes;
        _logger = logger;
    }

    public bool IsEmpty => _processors.Count == 0;

    public IEnumerable<string> Names => _processors.Select(p => p.Name);

    /// <param name="request">the client's request, already validated into <paramref name="topic"/> and <paramref name="record"/></param>
    /// <returns>what to store, and where</returns>
    public async ValueTask<(string Topic, OutgoingRecord Record)> ProcessAsync(
        PublishRequest request,
        string topic,
        OutgoingRecord record,
        CancellationToken cancellationToken)
    {
        var envelope = EnvelopeMapping.ToEnvelope(topic, request, record);
        foreach (var (name, processor) in _processors)
        {
            var next = await RunAsync(name, processor, envelope, cancellationToken);
            if (!ReferenceEquals(next, envelope))
            {
                (topic, record) = Validate(name, next, record.Timestamp);
                envelope = next;
            }
        }

        return (topic, record);
    }

    private async ValueTask<Envelope> RunAsync(string name, IRecordPreProcessor processor, Envelope envelope, CancellationToken cancellationToken)
    {
        PreProcessResult? result;
        try
        {
            result = await processor.PreProcessAsync(envelope, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Record pre-processor {Processor} failed on a publish to {Topic}", name, envelope.Topic);
            throw Failed(name, "failed");
        }

        return result switch
        {
            { Accepted: { } accepted } => accepted,
            { Refusal: { } refusal } when Enum.IsDefined(refusal.Code) =>
                throw new RpcException(new Status((StatusCode)refusal.Code, refusal.Reason)),
            { Refusal: { } refusal } => throw Failed(name, $"refused with {(int)refusal.Code}, which is not a status a pre-processor may answer"),
            _ => throw Failed(name, "answered no result"),
        };
    }

    private (string Topic, OutgoingRecord Record) Validate(string name, Envelope envelope, DateTimeOffset timestamp)
    {
        try
        {
            return RequestMapping.Publish(EnvelopeMapping.ToPublishRequest(envelope), _maxRecordSizeBytes, timestamp);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            _logger.LogError("Record pre-processor {Processor} answered an invalid record: {Problem}", name, e.Status.Detail);
            throw Failed(name, $"answered an invalid record ({e.Status.Detail})");
        }
    }

    private static RpcException Failed(string name, string what) =>
        new(new Status(StatusCode.Internal, $"record pre-processor {name} {what}; the record was not stored"));
}
