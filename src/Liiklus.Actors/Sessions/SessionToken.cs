using System.Buffers.Text;
using Liiklus.Storage.Positions;

namespace Liiklus.Actors.Sessions;

/// <summary>
/// What a subscription's session id stands for. The id is self-describing (topic, group, offset reset and a
/// unique part, encoded) so that any node can serve a Receive or a legacy Ack without a shared session table;
/// clients treat it as opaque.
/// </summary>
public sealed record SessionToken(string Topic, GroupId Group, OffsetReset AutoOffsetReset, Guid Unique)
{
    private const byte FormatVersion = 1;

    public static SessionToken New(string topic, GroupId group, OffsetReset autoOffsetReset) =>
        new(topic, group, autoOffsetReset, Guid.NewGuid());

    public string Encode()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(FormatVersion);
            writer.Write(Topic);
            writer.Write(Group.Name);
            writer.Write(Group.Version);
            writer.Write((byte)AutoOffsetReset);
            writer.Write(Unique.ToByteArray());
        }

        return Base64Url.EncodeToString(stream.ToArray());
    }

    /// <summary>Reads a session id back; false for anything this gateway did not issue.</summary>
    public static bool TryDecode(string sessionId, out SessionToken token)
    {
        token = null!;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(Base64Url.DecodeFromChars(sessionId)));
            if (reader.ReadByte() != FormatVersion)
            {
                return false;
            }

            var topic = reader.ReadString();
            var group = new GroupId(reader.ReadString(), reader.ReadUInt32());
            var reset = reader.ReadByte();
            var unique = new Guid(reader.ReadBytes(16));
            if (reset > (byte)OffsetReset.Latest || reader.BaseStream.Position != reader.BaseStream.Length || topic.Length == 0)
            {
                return false;
            }

            token = new SessionToken(topic, group, (OffsetReset)reset, unique);
            return true;
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or ArgumentException)
        {
            return false;
        }
    }
}
