using Liiklus.Api.Schema;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Liiklus.Tests.Schema;

public sealed class JsonPointerSpecs
{
    private static readonly JToken Document = JToken.Parse("""{"a/b":{"m~n":[10,20]},"":"empty","list":[{"x":1}]}""");

    [Theory]
    [InlineData("/a~1b/m~0n/1", "20")]
    [InlineData("/", "empty")]
    [InlineData("/list/0/x", "1")]
    public void Pointer_reaches_the_value_as_rfc_6901_reads_it(string pointer, string expected)
    {
        Assert.Equal(expected, JsonPointer.Parse(pointer).Evaluate(Document)?.ToString());
    }

    [Theory]
    [InlineData("/missing")]
    [InlineData("/list/01")]
    [InlineData("/list/5")]
    [InlineData("/list/0/x/deeper")]
    public void Pointer_to_nothing_answers_null(string pointer)
    {
        Assert.Null(JsonPointer.Parse(pointer).Evaluate(Document));
    }

    [Theory]
    [InlineData("eventType")]
    [InlineData("/a~2")]
    [InlineData("/a~")]
    public void Malformed_pointer_is_refused(string pointer)
    {
        Assert.Throws<FormatException>(() => JsonPointer.Parse(pointer));
    }
}
