using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Liiklus.Tests.Support;

/// <summary>One browser page of the console, with every JavaScript error it logged or threw.</summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _errors = new();

    public ConsolePage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Enqueue($"console.error at {page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => _errors.Enqueue($"uncaught at {page.Url}: {error}");
    }

    public IPage Page { get; }

    /// <summary>Errors the page's JavaScript logged or threw so far (a failed resource load is logged as one too).</summary>
    public IReadOnlyCollection<string> Errors => _errors.ToArray();

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleBrowser.ScreenshotFolder, $"{name}.png"), FullPage = true });

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
