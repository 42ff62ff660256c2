using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Liiklus.Tests.Support;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>) on a free loopback port, scraping the given targets every second and
/// loading the given rule files; its data lives in a temporary directory removed at the end.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HttpClient _http;
    private readonly Process _process;

    private PrometheusServer(int port, Process process, string directory)
    {
        Port = port;
        _directory = directory;
        _process = process;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int Port { get; }

    public string Log => string.Join('\n', _output);

    /// <param name="target">host:port of a gateway's operations port, scraped at /prometheus</param>
    public static async Task<PrometheusServer> StartAsync(string target, params string[] ruleFiles)
    {
        var port = GatewayProcess.FreePort();
        var directory = Directory.CreateTempSubdirectory("liiklus-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [{string.Join(", ", ruleFiles.Select(f => JsonSerializer.Serialize(f)))}]
            scrape_configs:
              - job_name: liiklus
                metrics_path: /prometheus
                static_configs:
                  - targets: ["{target}"]
            """);
        var start = new ProcessStartInfo("prometheus")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("prometheus is not installed (test.sh installs it: apt-get install prometheus)", e);
        }

        var server = new PrometheusServer(port, process, directory);
        process.OutputDataReceived += (_, line) => server.Remember(line.Data);
        process.ErrorDataReceived += (_, line) => server.Remember(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.Until(
            async () => process.HasExited ? "exited" : await server.TryGetAsync("/-/ready"),
            answer => answer is "ready" or "exited",
            $"prometheus on port {port} ready");
        if (process.HasExited)
        {
            throw new InvalidOperationException($"prometheus exited with {process.ExitCode}: {server.Log}");
        }

        return server;
    }

    /// <summary>An instant PromQL query over the HTTP API: each result's labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        if (body.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"query {promql} failed: {body}");
        }

        return [.. body.GetProperty("data").GetProperty("result").EnumerateArray().Select(result => (
            (IReadOnlyDictionary<string, string>)result.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            double.Parse(result.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
    }

    /// <summary>The names of the alerting and recording rules Prometheus loaded.</summary>
    public async Task<IReadOnlyList<string>> RuleNamesAsync()
    {
        var body = JsonDocument.Parse(await _http.GetStringAsync("/api/v1/rules")).RootElement;
        return [.. body.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(group => group.GetProperty("rules").EnumerateArray())
            .Select(rule => rule.GetProperty("name").GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<string> TryGetAsync(string path)
    {
        try
        {
            using var response = await _http.GetAsync(path);
            return response.IsSuccessStatusCode ? "ready" : response.StatusCode.ToString();
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    private void Remember(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
