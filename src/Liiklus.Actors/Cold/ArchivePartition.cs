namespace Liiklus.Actors.Cold;

/// <summary>Starts (or keeps) the archiver of one partition; every node sends it for every partition it finds.</summary>
public sealed record ArchivePartition(string Topic, int Partition) : IArchiverMessage;
