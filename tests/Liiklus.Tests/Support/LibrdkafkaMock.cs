using System.Runtime.InteropServices;
using System.Text;

namespace Liiklus.Tests.Support;

/// <summary>
/// The mock cluster's C API. It must bind to the very librdkafka Confluent.Kafka loaded (a second copy would have
/// its own state), so the import name resolves to the path of the loaded library as listed in /proc/self/maps.
/// </summary>
internal static class LibrdkafkaMock
{
    private const string Library = "librdkafka-as-loaded-by-confluent-kafka";

    static LibrdkafkaMock()
    {
        // Makes Confluent.Kafka pick and load its native library (on Debian 12 the centos8 variant).
        _ = Confluent.Kafka.Library.Version;
        var path = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].Contains("librdkafka", StringComparison.Ordinal))
            .Select(fields => fields[5].Trim())
            .FirstOrDefault() ?? throw new InvalidOperationException("Confluent.Kafka loaded no librdkafka");
        NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaMock).Assembly, (name, _, _) =>
            name == Library ? NativeLibrary.Load(path) : IntPtr.Zero);
    }

    /// <summary>Runs the static constructor, so the resolver is in place before the first import is bound.</summary>
    public static void EnsureBound()
    {
    }

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_conf_new();

    [DllImport(Library)]
    public static extern int rd_kafka_conf_set(IntPtr conf, string name, string value, StringBuilder errstr, UIntPtr errstrSize);

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_new(int type, IntPtr conf, StringBuilder errstr, UIntPtr errstrSize);

    [DllImport(Library)]
    public static extern void rd_kafka_destroy(IntPtr rk);

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [DllImport(Library)]
    public static extern int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitionCount, int replicationFactor);

    /// <summary>Moves a partition's low watermark to <paramref name="beforeOffset"/>: what retention deleting records does.</summary>
    [DllImport(Library)]
    public static extern int rd_kafka_mock_partition_delete_records(IntPtr cluster, string topic, int partition, long beforeOffset);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_topic_set_error(IntPtr cluster, string topic, int error);

    [DllImport(Library)]
    public static extern int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [DllImport(Library)]
    public static extern int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [DllImport(Library)]
    public static extern int rd_kafka_mock_set_controller_id(IntPtr cluster, int brokerId);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_start_request_tracking(IntPtr cluster);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_stop_request_tracking(IntPtr cluster);

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_mock_get_requests(IntPtr cluster, out UIntPtr count);

    [DllImport(Library)]
    public static extern short rd_kafka_mock_request_api_key(IntPtr request);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_request_destroy_array(IntPtr requests, UIntPtr count);
}
