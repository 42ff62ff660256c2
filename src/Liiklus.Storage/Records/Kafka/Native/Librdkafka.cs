using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka.Native;

/// <summary>
/// The few librdkafka functions the pooled consumers call past Confluent.Kafka, bound to the very native library
/// Confluent.Kafka loaded (a second copy would have state of its own): the import name of Confluent.Kafka's own
/// binding of <c>rd_kafka_consumer_poll</c>, resolved as that binding resolves it. Confluent.Kafka exposes no batch
/// read, and its per-record <c>Consume</c> costs more than librdkafka's work for the record.
/// </summary>
internal static unsafe class Librdkafka
{
    private static readonly Lazy<string?> Binding = new(Bind);

    private static delegate* unmanaged[Cdecl]<IntPtr, IntPtr> _queueGetConsumer;
    private static delegate* unmanaged[Cdecl]<IntPtr, void> _queueDestroy;
    private static delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr*, nuint, nint> _consumeBatchQueue;
    private static delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> _consumerPoll;
    private static delegate* unmanaged[Cdecl]<IntPtr, void> _messageDestroy;
    private static delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, int> _messageHeaders;
    private static delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr*, nuint*, int> _headerGetAll;
    private static delegate* unmanaged[Cdecl]<IntPtr, IntPtr> _messageErrorText;
    private static delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, int> _fatalError;
    // Field reads of a message and its topic: no lock, no allocation, no callback, so no GC transition either.
    private static delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int*, long> _messageTimestamp;
    private static delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, IntPtr> _topicName;

    /// <summary>Null once bound; else why the functions could not be bound (the consumers then read record by record).</summary>
    public static string? UnboundReason => Binding.Value;

    /// <summary>The consumer's <c>rd_kafka_t</c>, which Confluent.Kafka keeps in an internal property of its handle.</summary>
    public static SafeHandle? KafkaHandleOf(IClient client) =>
        typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(client.Handle) as SafeHandle;

    public static IntPtr QueueGetConsumer(IntPtr kafka) => _queueGetConsumer(kafka);

    public static void QueueDestroy(IntPtr queue) => _queueDestroy(queue);

    /// <summary>Up to <paramref name="into"/>'s length of messages already queued, without waiting.</summary>
    public static int ConsumeQueued(IntPtr queue, IntPtr[] into)
    {
        fixed (IntPtr* messages = into)
        {
            var taken = _consumeBatchQueue(queue, 0, messages, (nuint)into.Length);
            return taken < 0 ? 0 : (int)taken;
        }
    }

    /// <summary>One message, waiting up to <paramref name="timeoutMs"/> for it; zero when none came.</summary>
    public static IntPtr ConsumerPoll(IntPtr kafka, int timeoutMs) => _consumerPoll(kafka, timeoutMs);

    public static void MessageDestroy(IntPtr message) => _messageDestroy(message);

    public static long MessageTimestamp(IntPtr message)
    {
        int type;
        return _messageTimestamp(message, &type);
    }

    /// <summary>The message's headers, or zero when it has none.</summary>
    public static IntPtr MessageHeaders(IntPtr message)
    {
        IntPtr headers;
        return _messageHeaders(message, &headers) == 0 ? headers : IntPtr.Zero;
    }

    /// <summary>The header at <paramref name="index"/>; false past the last.</summary>
    public static bool HeaderAt(IntPtr headers, int index, out IntPtr name, out IntPtr value, out nuint size)
    {
        IntPtr n, v;
        nuint s;
        var found = _headerGetAll(headers, (nuint)index, &n, &v, &s) == 0;
        (name, value, size) = (n, v, s);
        return found;
    }

    /// <summary>The text of an errored message's error (zero when it has none), owned by the message.</summary>
    public static IntPtr MessageErrorText(IntPtr message) => _messageErrorText(message);

    /// <summary>The client's fatal error, with its text, once librdkafka raised one.</summary>
    public static (int Code, string Reason) FatalError(IntPtr kafka)
    {
        const int size = 512;
        var text = stackalloc byte[size];
        text[0] = 0;
        var code = _fatalError(kafka, text, size);
        return (code, System.Text.Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text)));
    }

    /// <summary>The topic's name, a NUL-terminated UTF-8 string owned by librdkafka.</summary>
    public static IntPtr TopicName(IntPtr topic) => _topicName(topic);

    private static string? Bind()
    {
        try
        {
            // Loads and binds Confluent.Kafka's native library first, if nothing has yet.
            _ = Library.Version;
            var poll = typeof(Handle).Assembly.GetType("Confluent.Kafka.Impl.Librdkafka")
                ?.GetField("_consumer_poll", BindingFlags.NonPublic | BindingFlags.Static)
                ?.GetValue(null) as Delegate;
            if (poll?.Method.GetCustomAttribute<DllImportAttribute>() is not { } import || poll.Method.DeclaringType is not { } imports)
            {
                return "Confluent.Kafka's binding of rd_kafka_consumer_poll was not found";
            }

            var library = NativeLibrary.Load(import.Value, imports.Assembly, null);
            _queueGetConsumer = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_queue_get_consumer");
            _queueDestroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(library, "rd_kafka_queue_destroy");
            _consumeBatchQueue = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr*, nuint, nint>)NativeLibrary.GetExport(library, "rd_kafka_consume_batch_queue");
            _consumerPoll = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_consumer_poll");
            _messageDestroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(library, "rd_kafka_message_destroy");
            _messageHeaders = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, int>)NativeLibrary.GetExport(library, "rd_kafka_message_headers");
            _headerGetAll = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr*, nuint*, int>)NativeLibrary.GetExport(library, "rd_kafka_header_get_all");
            _messageErrorText = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_message_errstr");
            _fatalError = (delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, int>)NativeLibrary.GetExport(library, "rd_kafka_fatal_error");
            _messageTimestamp = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int*, long>)NativeLibrary.GetExport(library, "rd_kafka_message_timestamp");
            _topicName = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_topic_name");
            return null;
        }
        catch (Exception e)
        {
            // Whatever went wrong, the consumers still read, record by record.
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
