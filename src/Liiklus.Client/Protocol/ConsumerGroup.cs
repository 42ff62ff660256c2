namespace Liiklus.Client;

/// <summary>
/// A consumer group of a topic: the consumers with the same <see cref="Topic"/> and <see cref="Name"/> share its
/// partitions; each <see cref="Version"/> keeps positions of its own (0: no version).
/// </summary>
/// <param name="Topic">the topic consumed</param>
/// <param name="Name">the group's name</param>
/// <param name="Version">the group's version; all versions of a name share the partitions</param>
public sealed record ConsumerGroup(string Topic, string Name, uint Version = 0);
