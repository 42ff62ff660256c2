using Liiklus.Api.Admin;
using Liiklus.Api.Configuration;
using Liiklus.Api.Grpc;
using Liiklus.Api.Operations;
using Liiklus.Api.Security;

namespace Liiklus.Api.WebConsole;

/// <summary>
/// The web console (issue 22) on the operations port: its files at /console (any other path under it answers the app's
/// page, which routes it), and gRPC-Web for the two services it calls, same-origin, so no CORS. The services keep
/// their interceptors, so a call through the console is checked exactly as one on the gRPC port.
/// </summary>
public static class WebConsoleRegistration
{
    /// <summary>
    /// Nothing from elsewhere, no inline script or style: the app is one script and one style sheet of its own, and
    /// talks to its own origin alone.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IServiceCollection AddWebConsole(this IServiceCollection services, OperationsSettings operations)
    {
        if (operations.ConsoleEnabled)
        {
            services.AddSingleton(_ => ConsoleFiles.Load());
        }

        return services;
    }

    /// <summary>After the services are mapped: gRPC-Web on the operations port for the console's two services.</summary>
    public static WebApplication MapWebConsole(
        this WebApplication app,
        GrpcServiceEndpointConventionBuilder liiklus,
        GrpcServiceEndpointConventionBuilder admin)
    {
        if (!app.Services.GetRequiredService<OperationsSettings>().ConsoleEnabled)
        {
            return app;
        }

        liiklus.EnableGrpcWeb();
        admin.EnableGrpcWeb();
        var operations = app.Services.GetRequiredService<OperationsEndpoint>();
        // gRPC-Web is the console's door, on its port only: the gRPC port stays what Liiklus's clients know.
        app.Use((context, next) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase) == true
                && context.Connection.LocalPort != operations.Port)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.UseGrpcWeb();

        var files = app.Services.GetRequiredService<ConsoleFiles>();
        var security = app.Services.GetRequiredService<GatewaySecurity>();
        var reply = new ConsoleSettingsReply(security.JwtKeys is not null, security.JwtKeys is not null && security.Settings.Jwt.RequireScopes);
        app.MapGet("/console/settings.json", (HttpContext context) =>
            {
                Protect(context.Response);
                return Results.Json(reply);
            })
            .WithMetadata(OperationsPortOnly.Instance);
        app.MapGet("/console", (HttpContext context) => Serve(context, files, "index.html")).WithMetadata(OperationsPortOnly.Instance);
        app.MapGet("/console/{**path}", (HttpContext context, string? path) => Serve(context, files, path ?? ""))
            .WithMetadata(OperationsPortOnly.Instance);
        return app;
    }

    private static IResult Serve(HttpContext context, ConsoleFiles files, string path)
    {
        Protect(context.Response);
        // The app's own files sit at the top of /console/; every other path is a screen the app routes.
        var file = (path.Contains('/', StringComparison.Ordinal) ? null : files.Find(path)) ?? files.Index;
        if (file is not { } found)
        {
            return Results.NotFound("The console's files are missing beside the binaries (console/dist).");
        }

        // The page is small and names the script it loads: always asked again, so a new gateway is never half old.
        context.Response.Headers.CacheControl = "no-cache";
        return Results.File(found.Path, found.ContentType);
    }

    private static void Protect(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
