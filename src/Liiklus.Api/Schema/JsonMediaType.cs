using System.Net.Http.Headers;

namespace Liiklus.Api.Schema;

/// <summary>
/// Whether an event's <c>data_content_type</c> says its data is JSON: <c>application/json</c> or any <c>+json</c>
/// type (<c>application/cloudevents+json</c>, <c>application/vnd.acme.order+json</c>), parameters ignored, and the
/// wildcards Liiklus accepts as compatible with <c>application/json</c> (<c>*/*</c>, <c>application/*</c>).
/// </summary>
public static class JsonMediaType
{
    public static bool IsJson(string contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType?.Split('/') is not [var type, var subtype])
        {
            return false;
        }

        return subtype.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || (type == "*" && subtype == "*")
            || (type.Equals("application", StringComparison.OrdinalIgnoreCase) && (subtype == "*" || subtype.Equals("json", StringComparison.OrdinalIgnoreCase)));
    }
}
