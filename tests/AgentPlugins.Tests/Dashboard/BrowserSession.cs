using AgentPlugins.Tests.Support;
using PuppeteerSharp;

namespace AgentPlugins.Tests.Dashboard;

/// <summary>
/// One headless Debian Chromium for a test class (driven over the DevTools protocol, no browser
/// download); <c>make test</c> installs it where it is missing (tests/setup/install-chromium.sh).
/// </summary>
public sealed class BrowserSession : IAsyncLifetime
{
    private static readonly string[] Executables = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
    private IBrowser? _browser;

    public static string Screenshots => Path.Combine(Repository.Root, "tests", "results", "screenshots");

    public async Task InitializeAsync()
    {
        var chromium = Executables.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: run tests/setup/install-chromium.sh (make test does).");
        _browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task<IPage> OpenAsync(Uri address)
    {
        var page = await _browser!.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
        await page.GoToAsync(address.ToString());
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            await _browser.DisposeAsync();
        }
    }
}
