using System.Net;

namespace Liiklus.Tests.Support;

/// <summary>An HTTP/1.1 client of a gateway's operations port, as Prometheus and orchestrators use it.</summary>
public sealed class OperationsClient(string address) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };

    public async Task<PrometheusText> ScrapeAsync(string path = "/prometheus")
    {
        using var response = await _http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes until <paramref name="done"/> holds, or fails at the deadline with what the last scrape had.</summary>
    public Task<PrometheusText> ScrapeUntilAsync(Func<PrometheusText, bool> done, string what) =>
        Eventually.Until(() => ScrapeAsync(), done, what);

    public void Dispose() => _http.Dispose();
}
