using Grpc.Core;

namespace Liiklus.Api.Operations.Metrics;

/// <summary>A streaming call as <see cref="CallMetrics"/> measures it: the stream to write to, and what its end counts.</summary>
public readonly struct MeasuredStream<TResponse>(IServerStreamWriter<TResponse> writer, Action? closed)
{
    public IServerStreamWriter<TResponse> Writer { get; } = writer;

    /// <summary>Counts the call's end; once, when the call has ended whichever way.</summary>
    public void Close() => closed?.Invoke();
}
