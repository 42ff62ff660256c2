using System.Text.Json;

namespace Liiklus.Client;

/// <summary>Event data as JSON through System.Text.Json (<c>application/json</c>).</summary>
/// <param name="options">the serializer's options; null: <see cref="JsonSerializerDefaults.Web"/> (camelCase names)</param>
public sealed class JsonEventSerializer(JsonSerializerOptions? options = null) : IEventSerializer
{
    private readonly JsonSerializerOptions _options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);

    /// <summary>With the web defaults.</summary>
    public static JsonEventSerializer Default { get; } = new();

    /// <inheritdoc />
    public string ContentType => "application/json";

    /// <inheritdoc />
    public ReadOnlyMemory<byte> Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _options);
}
