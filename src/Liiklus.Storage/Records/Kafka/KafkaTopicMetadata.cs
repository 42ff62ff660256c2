using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// Topic metadata for the storage. librdkafka's metadata call blocks its caller, so requests run on threads of their
/// own, never on the thread pool or a dispatcher; callers await a task and stop waiting at their own deadline. Each
/// topic has at most one request in flight (concurrent callers share it), and an answer with partitions is kept for
/// <see cref="KafkaRecordsOptions.MetadataMaxAge"/>, so hundreds of groups starting on one topic cost one request.
/// </summary>
internal sealed class KafkaTopicMetadata : IDisposable
{
    private const int Threads = 2;
    private readonly BlockingCollection<Action> _requests = new();
    private readonly ConcurrentDictionary<(string Topic, bool Create), Lazy<Task<TopicMetadata>>> _inFlight = new();
    private readonly ConcurrentDictionary<(string Topic, bool Create), (TopicMetadata Metadata, long At)> _answers = new();
    private readonly IAdminClient _creating;
    private readonly IAdminClient _looking;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeSpan _maxAge;
    private readonly Thread[] _threads;
    private long _requestsSent;

    /// <param name="creating">an admin client whose metadata requests may create an unknown topic</param>
    /// <param name="looking">an admin client whose metadata requests never create one</param>
    public KafkaTopicMetadata(IAdminClient creating, IAdminClient looking, TimeSpan requestTimeout, TimeSpan maxAge)
    {
        _creating = creating;
        _looking = looking;
        _requestTimeout = requestTimeout;
        _maxAge = maxAge;
        _threads = [.. Enumerable.Range(0, Threads).Select(i => new Thread(Run) { IsBackground = true, Name = $"liiklus-kafka-metadata-{i}" })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Metadata requests sent to Kafka so far (cached and shared answers do not count).</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    /// <param name="create">whether the request may create an unknown topic (the brokers' own setting still decides)</param>
    /// <exception cref="KafkaException">the brokers could not be asked</exception>
    public Task<TopicMetadata> DescribeAsync(string topic, bool create, CancellationToken cancellationToken)
    {
        var key = (topic, create);
        if (_answers.TryGetValue(key, out var answer) && Environment.TickCount64 - answer.At < _maxAge.TotalMilliseconds)
        {
            return Task.FromResult(answer.Metadata);
        }

        // Lazy: GetOrAdd may run its factory twice under a race; only the value it keeps sends a request.
        var shared = _inFlight.GetOrAdd(key, _ => new Lazy<Task<TopicMetadata>>(() =>
        {
            var answer = new TaskCompletionSource<TopicMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
            _requests.Add(() => Describe(topic, create, answer));
            return answer.Task;
        }));
        return shared.Value.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The topics the brokers hold, from one metadata request for all of them (never shared or kept: an operator's
    /// question, not a hot path).
    /// </summary>
    /// <exception cref="KafkaException">the brokers could not be asked</exception>
    public Task<IReadOnlyList<TopicMetadata>> ListAsync(CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<IReadOnlyList<TopicMetadata>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add(() =>
        {
            try
            {
                Interlocked.Increment(ref _requestsSent);
                answer.SetResult(_looking.GetMetadata(_requestTimeout).Topics);
            }
            catch (Exception e)
            {
                answer.SetException(e);
            }
        });
        return answer.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets what is known of <paramref name="topic"/>, so the next call asks the brokers.</summary>
    public void Forget(string topic)
    {
        _answers.TryRemove((topic, true), out _);
        _answers.TryRemove((topic, false), out _);
    }

    public void Dispose()
    {
        _requests.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join(_requestTimeout + TimeSpan.FromSeconds(1));
        }
    }

    private void Run()
    {
        foreach (var request in _requests.GetConsumingEnumerable())
        {
            request();
        }
    }

    private void Describe(string topicName, bool create, TaskCompletionSource<TopicMetadata> answer)
    {
        var key = (topicName, create);
        try
        {
            Interlocked.Increment(ref _requestsSent);
            var metadata = (create ? _creating : _looking).GetMetadata(topicName, _requestTimeout);
            var topic = metadata.Topics.Single(t => t.Topic == topicName);
            if (topic.Error.Code == ErrorCode.NoError && topic.Partitions.Count > 0)
            {
                _answers[key] = (topic, Environment.TickCount64);
            }

            _inFlight.TryRemove(key, out _);
            answer.SetResult(topic);
        }
        catch (Exception e)
        {
            _inFlight.TryRemove(key, out _);
            answer.SetException(e);
        }
    }
}
