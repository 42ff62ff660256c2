using System.Buffers.Text;
using Liiklus.Storage.Positions;

namespace Liiklus.Actors.Sessions;

/// <summary>
/// What a subscription's session id stands for. The id is self-describing (topic, group, offset reset and a
/// unique part, encoded) so that any node can serve a Receive or a legacy Ack without a shared session table;
/// clients treat it as opaque.
/// </summary>
/// <param name="Epoch">
/// the reset epoch the id was assigned under (0: none): after a position reset the coordinator assigns the partitions
/// again under a new epoch, so an id naming an older one is stale (its acks are refused)
/// </param>
public sealed record SessionToken(string Topic, GroupId Group, OffsetReset AutoOffsetReset, Guid Unique, long Epoch = 0)
{
    private const byte FormatVersion = 1;

    // Ids with an epoch end with it; ids without one keep the first format, so a subscription's own id is unchanged.
    private const byte EpochFormatVersion = 2;

    public static SessionToken New(string topic, GroupId group, OffsetReset autoOffsetReset) =>
        new(topic, group, autoOffsetReset, Guid.NewGuid());

    public string Encode()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Epoch == 0 ? FormatVersion : EpochFormatVersion);
            writer.Write(Topic);
            writer.Write(Group.Name);
            writer.Write(Group.Version);
            writer.Write((byte)AutoOffsetReset);
            writer.Write(Unique.ToByteArray());
            if (Epoch != 0)
            {
                writer.Write(Epoch);
            }
        }

        return Base64Url.EncodeToString(stream.ToArray());
    }

    /// <summary>The subscription's own id (without an epoch): the member its group's coordinator knows.</summary>
    public string MemberId => (this with { Epoch = 0 }).Encode();

    /// <summary>Reads a session id back; false for anything this gateway did not issue.</summary>
    public static bool TryDecode(string sessionId, out SessionToken token)
    {
        token = null!;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(Base64Url.DecodeFromChars(sessionId)));
            var format = reader.ReadByte();
            if (format is not (FormatVersion or EpochFormatVersion))
            {
                return false;
            }

            var topic = reader.ReadString();
            var group = new GroupId(reader.ReadString(), reader.ReadUInt32());
            var reset = reader.ReadByte();
            var unique = new Guid(reader.ReadBytes(16));
            var epoch = format == EpochFormatVersion ? reader.ReadInt64() : 0;
            if ((format == EpochFormatVersion && epoch == 0) || reset > (byte)OffsetReset.Latest || reader.BaseStream.Position != reader.BaseStream.Length || topic.Length == 0)
            {
                return false;
            }

            token = new SessionToken(topic, group, (OffsetReset)reset, unique, epoch);
            return true;
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or ArgumentException)
        {
            return false;
        }
    }
}
