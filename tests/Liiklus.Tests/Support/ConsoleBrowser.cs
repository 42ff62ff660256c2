using Microsoft.Playwright;

namespace Liiklus.Tests.Support;

/// <summary>
/// Debian's chromium, headless, driven by Playwright (its own browser download cannot work here), shared by a class of
/// console specs: each spec opens pages of its own in a fresh context.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    /// <summary>Where a run's screenshots go (ignored by git; docs/console/ keeps a chosen set for the README).</summary>
    public static readonly string ScreenshotFolder = RepositoryFiles.PathOf("console-screenshots");

    private static readonly string[] Executables = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<ConsoleBrowser> LaunchAsync()
    {
        var executable = Executables.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromium is not installed (test.sh installs Debian's chromium)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            ChromiumSandbox = false,
            Args = ["--disable-gpu", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
        return new ConsoleBrowser(playwright, browser);
    }

    /// <summary>A page of its own (fresh storage: no token kept from another spec), at 1280×800 unless told.</summary>
    public async Task<ConsolePage> OpenAsync(string url, int width = 1280, int height = 800)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var console = new ConsolePage(context, page);
        await page.GotoAsync(url);
        return console;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
