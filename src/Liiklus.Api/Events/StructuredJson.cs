using System.Text.Json;

namespace Liiklus.Api.Events;

/// <summary>
/// CloudEvents JSON event format (structured mode), for clients that receive events as raw bytes:
/// every attribute at the top level, <c>data</c> inline when the content type is JSON, otherwise <c>data_base64</c>.
/// </summary>
public static class StructuredJson
{
    public static byte[] Serialize(CloudEvent cloudEvent)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 + cloudEvent.Data.Length * 2);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("specversion", CloudEvent.SpecVersion);
            json.WriteString("id", cloudEvent.Id);
            json.WriteString("type", cloudEvent.Type);
            json.WriteString("source", cloudEvent.Source);
            if (!string.IsNullOrEmpty(cloudEvent.Time))
            {
                json.WriteString("time", cloudEvent.Time);
            }

            if (!string.IsNullOrEmpty(cloudEvent.DataContentType))
            {
                json.WriteString("datacontenttype", cloudEvent.DataContentType);
            }

            foreach (var (name, value) in cloudEvent.Extensions)
            {
                json.WriteString(name, value);
            }

            if (cloudEvent.Data.Length > 0)
            {
                if (IsJson(cloudEvent.DataContentType) && IsWellFormedJson(cloudEvent.Data))
                {
                    json.WritePropertyName("data");
                    json.WriteRawValue(cloudEvent.Data, skipInputValidation: true);
                }
                else
                {
                    json.WriteBase64String("data_base64", cloudEvent.Data);
                }
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    // application/json, text/json and any +json suffix, ignoring parameters such as charset.
    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
        return mediaType is "application/json" or "text/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);
    }

    private static bool IsWellFormedJson(byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
