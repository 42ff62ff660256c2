using System.Text.Json;

namespace Liiklus.Bench;

/// <summary>Ratios printed one a line (<c>ratio name value</c>); every absolute figure kept for the JSON file.</summary>
public sealed class BenchResults
{
    private readonly Dictionary<string, double> _ratios = [];
    private readonly Dictionary<string, double> _figures = [];

    public void Figure(string name, double value)
    {
        _figures[name] = value;
        Console.Error.WriteLine($"  {name} = {value:0.###}");
    }

    public void Ratio(string name, double value)
    {
        _ratios[name] = value;
        Console.WriteLine($"ratio {name} {value:0.###}");
    }

    public async Task WriteAsync(string path, Workload workload)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new
        {
            at = DateTime.UtcNow,
            quick = workload.Quick,
            machine = new { cores = Environment.ProcessorCount, os = Environment.OSVersion.ToString() },
            workload,
            ratios = _ratios,
            figures = _figures,
        }, new JsonSerializerOptions { WriteIndented = true }));
        Console.Error.WriteLine($"figures written to {path}");
    }
}
