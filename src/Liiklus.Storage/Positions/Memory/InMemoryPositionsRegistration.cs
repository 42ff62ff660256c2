using Microsoft.Extensions.DependencyInjection;

namespace Liiklus.Storage.Positions.Memory;

public static class InMemoryPositionsRegistration
{
    public static IServiceCollection AddInMemoryPositionsStorage(this IServiceCollection services) =>
        services.AddSingleton<IPositionsStorage>(new InMemoryPositionsStorage());
}
