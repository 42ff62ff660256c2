using System.Globalization;
using System.Text;

namespace Liiklus.Tests.Support;

/// <summary>Samples of a Prometheus text exposition (format 0.0.4), for assertions on what a scrape returns.</summary>
public sealed class PrometheusText
{
    private PrometheusText(IReadOnlyList<PrometheusSample> samples) => Samples = samples;

    public IReadOnlyList<PrometheusSample> Samples { get; }

    public IEnumerable<string> Names => Samples.Select(s => s.Name).Distinct();

    public static PrometheusText Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var nameEnd = line.IndexOfAny(['{', ' ']);
            var name = line[..nameEnd];
            var rest = nameEnd;
            if (line[nameEnd] == '{')
            {
                rest = ParseLabels(line, nameEnd + 1, labels);
            }

            var value = line[rest..].Trim().Split(' ')[0];
            samples.Add(new PrometheusSample(name, labels, double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }

        return new PrometheusText(samples);
    }

    /// <summary>The samples named <paramref name="name"/> whose labels include every pair given.</summary>
    public IReadOnlyList<PrometheusSample> Find(string name, params (string Label, string Value)[] labels) =>
        [.. Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))];

    /// <summary>The one sample's value, or null when there is none.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels) =>
        Find(name, labels) is [var only] ? only.Value : null;

    public override string ToString() => string.Join('\n', Samples);

    private static int ParseLabels(string line, int at, Dictionary<string, string> into)
    {
        while (line[at] != '}')
        {
            var equals = line.IndexOf('=', at);
            var label = line[at..equals].Trim().TrimStart(',').Trim();
            var value = new StringBuilder();
            var i = equals + 2;
            for (; line[i] != '"'; i++)
            {
                if (line[i] == '\\')
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }
            }

            into[label] = value.ToString();
            at = i + 1;
            if (line[at] == ',')
            {
                at++;
            }
        }

        return at + 1;
    }
}
