using Liiklus.Tests.Support;

namespace Liiklus.Tests.Api.Admin;

/// <summary>The admin API on the in-memory records and positions storages.</summary>
public sealed class InMemoryAdminApiSpecs : AdminApiContract
{
    protected override Task<TestGateway> StartGatewayAsync() => TestGateway.StartAsync();
}
