namespace Liiklus.Storage.Records;

public sealed record PublishResult(int Partition, long Offset);
