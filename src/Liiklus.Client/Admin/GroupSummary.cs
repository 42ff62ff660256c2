namespace Liiklus.Client;

/// <summary>A consumer group name with stored positions on a topic, as ListGroups answers it.</summary>
/// <param name="Topic">the topic</param>
/// <param name="Name">the group's name</param>
/// <param name="Versions">its versions with positions, lowest first</param>
public sealed record GroupSummary(string Topic, string Name, IReadOnlyList<GroupVersionSummary> Versions);
