using Liiklus.Client;

namespace Liiklus.Samples.Worker;

/// <summary>
/// The sample's settings, from the command line or environment (<c>Liiklus__Address</c>, <c>Sample__Topic</c>,
/// <c>Sample__PublishOrders</c>); the defaults match the README's gateway.
/// </summary>
public sealed class SampleSettings
{
    /// <summary>Refused twice by billing, then billed.</summary>
    public const string FlakyCustomer = "flaky";

    /// <summary>Refused by billing every time: dead-lettered once the retries are used up.</summary>
    public const string DownCustomer = "down";

    public Uri Address { get; init; } = new("http://localhost:6565");

    public string Topic { get; init; } = "orders";

    public string Group { get; init; } = "billing";

    public bool PublishOrders { get; init; } = true;

    public static SampleSettings From(IConfiguration configuration) => new()
    {
        Address = configuration["Liiklus:Address"] is { } address ? new Uri(address) : new Uri("http://localhost:6565"),
        Topic = configuration["Sample:Topic"] ?? "orders",
        Group = configuration["Sample:Group"] ?? "billing",
        PublishOrders = !bool.TryParse(configuration["Sample:PublishOrders"], out var publish) || publish,
    };

    /// <summary>How many times billing refuses each customer before it works.</summary>
    public static IReadOnlyDictionary<string, int> BillingRefusals { get; } = new Dictionary<string, int>
    {
        [FlakyCustomer] = 2,
        [DownCustomer] = int.MaxValue,
    };

    /// <summary>The order consumer's retries: one at once, then two after 500 ms and 1 s, then the dead-letter topic.</summary>
    public static void ConfigureConsumer(LiiklusConsumerOptions options)
    {
        options.ImmediateRetries = 1;
        options.DelayedRetries = 2;
        options.RetryDelay = TimeSpan.FromMilliseconds(500);
    }
}
