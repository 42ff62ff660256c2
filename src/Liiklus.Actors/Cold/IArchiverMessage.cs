namespace Liiklus.Actors.Cold;

/// <summary>Messages of the cold archivers that cross nodes; bound to their serializer in hocon/akka.conf.</summary>
public interface IArchiverMessage;
