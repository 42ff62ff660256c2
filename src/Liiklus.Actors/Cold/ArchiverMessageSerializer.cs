using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace Liiklus.Actors.Cold;

/// <summary>
/// The archivers' one message between nodes, in a small fixed format (length-prefixed topic, partition) under a
/// stable manifest, bound to <see cref="IArchiverMessage"/> in hocon/akka.conf.
/// </summary>
public sealed class ArchiverMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The gateway's second identifier (the group protocol has 8701), fixed for good.</summary>
    public const int Id = 8_702;

    private const string ArchivePartitionManifest = "ARP";

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        ArchivePartition => ArchivePartitionManifest,
        _ => throw new SerializationException($"no wire format for {o.GetType()}"),
    };

    public override byte[] ToBinary(object obj)
    {
        if (obj is not ArchivePartition archive)
        {
            throw new SerializationException($"no wire format for {obj.GetType()}");
        }

        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(archive.Topic);
            writer.Write(archive.Partition);
        }

        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest != ArchivePartitionManifest)
        {
            throw new SerializationException($"unknown manifest '{manifest}'");
        }

        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        return new ArchivePartition(reader.ReadString(), reader.ReadInt32());
    }
}
