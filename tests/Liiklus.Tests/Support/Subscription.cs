using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Liiklus.Protocol;

namespace Liiklus.Tests.Support;

/// <summary>A Subscribe call whose assignments are collected in the background.</summary>
public sealed class Subscription : IDisposable
{
    private readonly AsyncServerStreamingCall<SubscribeReply> _call;
    private readonly Channel<Assignment> _assignments = Channel.CreateUnbounded<Assignment>();

    public Subscription(AsyncServerStreamingCall<SubscribeReply> call)
    {
        _call = call;
        Completion = CollectAsync();
    }

    /// <summary>Ends when the server ends the call; faults with its status.</summary>
    public Task Completion { get; }

    public async Task<Assignment> NextAsync(TimeSpan? deadline = null)
    {
        using var timeout = new CancellationTokenSource(deadline ?? LiiklusClientExtensions.Deadline);
        return await _assignments.Reader.ReadAsync(timeout.Token);
    }

    public async Task<List<Assignment>> NextAsync(int count)
    {
        var assignments = new List<Assignment>();
        for (var i = 0; i < count; i++)
        {
            assignments.Add(await NextAsync());
        }

        return assignments;
    }

    public void Dispose() => _call.Dispose();

    private async Task CollectAsync()
    {
        try
        {
            await foreach (var reply in _call.ResponseStream.ReadAllAsync())
            {
                await _assignments.Writer.WriteAsync(reply.Assignment);
            }

            _assignments.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _assignments.Writer.TryComplete(e);
            throw;
        }
    }
}
