using Liiklus.Api.Admin;
using Liiklus.Api.Grpc;
using Liiklus.Api.Security.Jwt;

namespace Liiklus.Api.Security;

public static class SecurityRegistration
{
    /// <summary>
    /// JWT checks on the Liiklus and admin services only (grpc.health.v1 stays open to load balancers), the reloading of the
    /// security files, and a start-up line saying what is on.
    /// </summary>
    public static IServiceCollection AddGatewaySecurity(this IServiceCollection services, GatewaySecurity security)
    {
        services.AddSingleton(security);
        var reloadables = new List<IReloadable>();
        if (security.GrpcCertificates is { } certificates)
        {
            reloadables.Add(certificates);
        }

        if (security.JwtKeys is { } keys)
        {
            services.AddSingleton(security.Settings.Jwt);
            services.AddSingleton(keys);
            services.AddSingleton<JwtAuthenticator>();
            // A singleton, so grpc-dotnet resolves it instead of creating one per call.
            services.AddSingleton<SecurityInterceptor>();
            services.AddGrpc()
                .AddServiceOptions<LiiklusGrpcService>(options => options.Interceptors.Add<SecurityInterceptor>())
                .AddServiceOptions<LiiklusAdminGrpcService>(options => options.Interceptors.Add<SecurityInterceptor>());
            reloadables.Add(keys);
        }

        if (reloadables.Count > 0)
        {
            services.AddHostedService(provider =>
            {
                var loggers = provider.GetRequiredService<ILoggerFactory>();
                if (security.JwtKeys is { } jwtKeys)
                {
                    jwtKeys.Logger = loggers.CreateLogger<JwtSigningKeys>();
                }

                return new SecurityFileReloader(reloadables, loggers.CreateLogger<SecurityFileReloader>());
            });
        }

        services.AddHostedService<SecuritySummary>();
        return services;
    }
}
