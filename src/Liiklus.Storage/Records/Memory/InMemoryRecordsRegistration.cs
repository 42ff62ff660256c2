using Microsoft.Extensions.DependencyInjection;

namespace Liiklus.Storage.Records.Memory;

public static class InMemoryRecordsRegistration
{
    /// <summary>The in-memory records storage, also as itself for its admin calls (<see cref="InMemoryRecordsStorage.IncreasePartitions"/>).</summary>
    public static IServiceCollection AddInMemoryRecordsStorage(this IServiceCollection services, InMemoryRecordsOptions options) =>
        services
            .AddSingleton(new InMemoryRecordsStorage(options))
            .AddSingleton<IRecordsStorage>(provider => provider.GetRequiredService<InMemoryRecordsStorage>());
}
