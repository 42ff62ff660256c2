using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka.Native;

/// <summary>
/// A consumer's librdkafka queue read in batches: every message already queued in one call rather than one call (with
/// its clock reads and its ConsumeResult, Message, Headers and topic string) per record. Only the consumer's own poll
/// thread uses it, and it is disposed before the consumer is closed, as librdkafka requires.
/// </summary>
internal sealed unsafe class ConsumerQueue : IDisposable
{
    private readonly SafeHandle _kafka;
    private readonly IntPtr _handle;
    private readonly IntPtr _queue;
    // The topic of the message last read, with its name's bytes: messages come in runs of one topic, whose name is
    // then not decoded again.
    private IntPtr _lastTopicHandle;
    private byte[] _lastTopicBytes = [];
    private string _lastTopic = "";
    // Whether the last topic is known to be the one at its address. Within one read it is: the messages read together
    // hold their topics alive, so two of them share an address only when they share the topic. Between reads librdkafka
    // may free a topic and give its address to another, so the first message of a read compares the name's bytes.
    private bool _lastTopicCurrent;
    private bool _disposed;

    private ConsumerQueue(SafeHandle kafka, IntPtr queue)
    {
        _kafka = kafka;
        _handle = kafka.DangerousGetHandle();
        _queue = queue;
    }

    /// <summary>The queue of <paramref name="consumer"/>, or null (with why) when librdkafka cannot be called directly.</summary>
    public static ConsumerQueue? TryOpen(IConsumer<byte[], byte[]> consumer, out string? unavailable)
    {
        unavailable = Librdkafka.UnboundReason;
        if (unavailable is not null)
        {
            return null;
        }

        if (Librdkafka.KafkaHandleOf(consumer) is not { IsInvalid: false } kafka)
        {
            unavailable = "Confluent.Kafka's consumer handle was not found";
            return null;
        }

        // Held while the queue is: the queue must go before the consumer's handle does.
        var added = false;
        kafka.DangerousAddRef(ref added);
        var queue = Librdkafka.QueueGetConsumer(kafka.DangerousGetHandle());
        if (queue == IntPtr.Zero)
        {
            kafka.DangerousRelease();
            unavailable = "librdkafka gave the consumer no queue";
            return null;
        }

        return new ConsumerQueue(kafka, queue);
    }

    /// <summary>Fills <paramref name="into"/> with messages already queued, without waiting; answers how many.</summary>
    public int TakeQueued(IntPtr[] into)
    {
        _lastTopicCurrent = false;
        return Librdkafka.ConsumeQueued(_queue, into);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for one message; zero when none came.</summary>
    public IntPtr Poll(TimeSpan timeout)
    {
        _lastTopicCurrent = false;
        return Librdkafka.ConsumerPoll(_handle, (int)timeout.TotalMilliseconds);
    }

    public static RdKafkaMessage* Read(IntPtr message) => (RdKafkaMessage*)message;

    /// <summary>
    /// The error an errored message carries, with its text; for a fatal one, the client's underlying error, as
    /// Confluent.Kafka's <c>Consume</c> reports it.
    /// </summary>
    public Error ErrorOf(IntPtr message)
    {
        var code = (ErrorCode)Read(message)->Error;
        if (code == ErrorCode.Local_Fatal)
        {
            var (fatal, reason) = Librdkafka.FatalError(_handle);
            return new Error((ErrorCode)fatal, reason, isFatal: true);
        }

        return Librdkafka.MessageErrorText(message) is var text && text != IntPtr.Zero
            ? new Error(code, Marshal.PtrToStringUTF8(text))
            : new Error(code);
    }

    public static void Release(IntPtr message) => Librdkafka.MessageDestroy(message);

    /// <summary>The name of the message's topic; null for a message of no topic (a consumer-wide error).</summary>
    public string? TopicOf(RdKafkaMessage* message)
    {
        if (message->Topic == IntPtr.Zero)
        {
            return null;
        }

        if (message->Topic == _lastTopicHandle && _lastTopicCurrent)
        {
            return _lastTopic;
        }

        var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)Librdkafka.TopicName(message->Topic));
        if (message->Topic != _lastTopicHandle || !name.SequenceEqual(_lastTopicBytes))
        {
            _lastTopicBytes = name.ToArray();
            _lastTopic = Encoding.UTF8.GetString(name);
            _lastTopicHandle = message->Topic;
        }

        _lastTopicCurrent = true;
        return _lastTopic;
    }

    /// <summary>The message as a record: its key, value and header bytes copied out of librdkafka's buffers.</summary>
    public static StoredRecord ToStoredRecord(IntPtr message)
    {
        var fields = Read(message);
        byte[]? key = fields->Key == IntPtr.Zero ? null : new ReadOnlySpan<byte>((void*)fields->Key, checked((int)fields->KeyLength)).ToArray();
        var value = fields->Payload == IntPtr.Zero ? [] : new ReadOnlySpan<byte>((void*)fields->Payload, checked((int)fields->PayloadLength)).ToArray();
        return new StoredRecord(
            fields->Partition,
            fields->Offset,
            key,
            value,
            HeadersOf(message),
            DateTimeOffset.FromUnixTimeMilliseconds(Librdkafka.MessageTimestamp(message)));
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Librdkafka.QueueDestroy(_queue);
        _kafka.DangerousRelease();
    }

    private static RecordHeader[] HeadersOf(IntPtr message)
    {
        var headers = Librdkafka.MessageHeaders(message);
        if (headers == IntPtr.Zero)
        {
            return [];
        }

        var read = new List<RecordHeader>();
        for (var i = 0; Librdkafka.HeaderAt(headers, i, out var name, out var value, out var size); i++)
        {
            read.Add(new RecordHeader(
                Marshal.PtrToStringUTF8(name) ?? "",
                value == IntPtr.Zero ? [] : new ReadOnlySpan<byte>((void*)value, checked((int)size)).ToArray()));
        }

        return [.. read];
    }
}
