using System.Text;
using Liiklus.Plugins;

namespace Liiklus.Tests.Plugins;

public static class Appending
{
    public static Envelope Append(Envelope envelope, string suffix) =>
        envelope with { Value = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(envelope.Value.Span) + suffix) };
}
