using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Liiklus.Client;

/// <summary>Registers Liiklus clients and consumers with a host.</summary>
public static class LiiklusServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="LiiklusClient"/> (a singleton) configured by <paramref name="configure"/>, and a
    /// <see cref="LiiklusAdminClient"/> on it; the options are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddLiiklusClient(this IServiceCollection services, Action<LiiklusClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LiiklusClientOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiiklusClientOptions>, ClientOptionsValidation>());
        services.TryAddSingleton(provider => new LiiklusClient(provider.GetRequiredService<IOptions<LiiklusClientOptions>>().Value));
        services.TryAddSingleton(provider => new LiiklusAdminClient(provider.GetRequiredService<LiiklusClient>()));
        services.TryAddSingleton<LiiklusConsumerHealthCheck>();
        return services;
    }

    /// <summary>
    /// Runs a <see cref="LiiklusConsumer"/> of <paramref name="group"/> on <paramref name="topic"/> as a hosted
    /// service, handling with <typeparamref name="THandler"/> (a singleton resolved from the container). Needs
    /// <see cref="AddLiiklusClient"/>.
    /// </summary>
    public static IServiceCollection AddLiiklusConsumer<THandler>(
        this IServiceCollection services,
        string topic,
        string group,
        Action<LiiklusConsumerOptions>? configure = null,
        uint groupVersion = 0)
        where THandler : class, IRecordHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(group);
        var consumerGroup = new ConsumerGroup(topic, group, groupVersion);
        var name = $"{topic}/{group}/{groupVersion}";
        var options = services.AddOptions<LiiklusConsumerOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiiklusConsumerOptions>, ConsumerOptionsValidation>());
        services.TryAddSingleton<THandler>();
        services.AddSingleton(provider => new LiiklusConsumerService(
            new LiiklusConsumer(
                provider.GetRequiredService<LiiklusClient>(),
                consumerGroup,
                provider.GetRequiredService<IOptionsMonitor<LiiklusConsumerOptions>>().Get(name),
                provider.GetService<ILogger<LiiklusConsumer>>()),
            provider.GetRequiredService<THandler>()));
        services.AddSingleton<IHostedService>(provider => provider.GetServices<LiiklusConsumerService>().Single(s => s.Consumer.Group == consumerGroup));
        return services;
    }

    /// <summary>
    /// Registers one <see cref="LiiklusPublisher"/> (a singleton) on the registered client, configured by
    /// <paramref name="configure"/>; its options are validated when the host starts. Needs <see cref="AddLiiklusClient"/>.
    /// </summary>
    public static IServiceCollection AddLiiklusPublisher(this IServiceCollection services, Action<LiiklusPublisherOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LiiklusPublisherOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiiklusPublisherOptions>, PublisherOptionsValidation>());
        services.TryAddSingleton(provider => new LiiklusPublisher(
            provider.GetRequiredService<LiiklusClient>(),
            provider.GetRequiredService<IOptions<LiiklusPublisherOptions>>().Value,
            provider.GetService<ILogger<LiiklusPublisher>>()));
        return services;
    }

    private sealed class PublisherOptionsValidation : IValidateOptions<LiiklusPublisherOptions>
    {
        public ValidateOptionsResult Validate(string? name, LiiklusPublisherOptions options) => Check(options.Validate);
    }

    private sealed class ClientOptionsValidation : IValidateOptions<LiiklusClientOptions>
    {
        public ValidateOptionsResult Validate(string? name, LiiklusClientOptions options) => Check(options.Validate);
    }

    private sealed class ConsumerOptionsValidation : IValidateOptions<LiiklusConsumerOptions>
    {
        public ValidateOptionsResult Validate(string? name, LiiklusConsumerOptions options) => Check(options.Validate);
    }

    private static ValidateOptionsResult Check(Action validate)
    {
        try
        {
            validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
