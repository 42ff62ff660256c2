using System.Text;

namespace Liiklus.Storage.Positions.Kafka;

/// <summary>Where the Kafka positions storage commits offsets and how long a call may take.</summary>
/// <param name="BootstrapServers">comma-separated <c>host:port</c> list</param>
public sealed record KafkaPositionsOptions(string BootstrapServers)
{
    /// <summary>librdkafka properties of the storage's admin client (TLS, SASL, tuning).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Put before every consumer group id the storage commits to, e.g. <c>liiklus.</c>; empty by default.</summary>
    public string GroupIdPrefix { get; init; } = "";

    /// <summary>How long one storage call (an ack, a read of positions) may take before it answers "unavailable".</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Find a group's versions by listing the cluster's consumer groups (ListGroups), rather than by reading the
    /// offsets of each version from 0 to the reader's own. Off by default: see the README's Kafka notes.
    /// </summary>
    public bool ListGroups { get; init; }

    /// <summary>
    /// Delete a group version's offsets of a topic with Kafka's OffsetDelete (brokers 2.4 and later) when the admin API
    /// deletes a group. On by default; turn it off for brokers without OffsetDelete: librdkafka aborts the process when
    /// a broker refuses the request as unsupported (librdkafka issue 3663), so the storage then refuses the deletion.
    /// </summary>
    public bool DeleteOffsets { get; init; } = true;

    /// <summary>
    /// Group versions the storage remembers having acked or read, to list them where it cannot list the cluster's
    /// consumer groups (<see cref="ListGroups"/> off or unsupported); past it, new ones are not listed.
    /// </summary>
    public int MaxKnownGroups { get; init; } = 10_000;

    /// <summary>How long a listing of every stored group is answered again before the next call reads the offsets anew.</summary>
    public TimeSpan ListingMaxAge { get; init; } = TimeSpan.FromSeconds(5);

    // Properties may hold SASL passwords and key material: print their names only.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"BootstrapServers = {BootstrapServers}, Properties = [{string.Join(", ", Properties.Keys)}], ");
        builder.Append($"GroupIdPrefix = {GroupIdPrefix}, CommandTimeout = {CommandTimeout}, ListGroups = {ListGroups}, DeleteOffsets = {DeleteOffsets}, ");
        builder.Append($"MaxKnownGroups = {MaxKnownGroups}, ListingMaxAge = {ListingMaxAge}");
        return true;
    }
}
