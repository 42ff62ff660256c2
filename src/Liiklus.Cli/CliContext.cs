using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Liiklus.Cli.Output;
using Liiklus.Client;

namespace Liiklus.Cli;

/// <summary>The global options every verb shares, and what they make: the client and the output.</summary>
public sealed class CliContext
{
    private const string DefaultServer = "localhost:6565";

    private readonly Func<string, string?> _environment;

    internal CliContext(CliConsole console, Func<string, string?> environment)
    {
        Console = console;
        _environment = environment;
        Server = new Option<string>("--server", "-s")
        {
            Description = $"The gateway, host:port or an http(s):// address [env LIIKLUS_SERVER; default {DefaultServer}]",
            HelpName = "HOST:PORT",
            Recursive = true,
        };
        Token = new Option<string?>("--token")
        {
            Description = "A bearer token (JWT) sent with every call [env LIIKLUS_TOKEN]",
            HelpName = "JWT",
            Recursive = true,
        };
        Tls = new Option<bool>("--tls") { Description = "Connect with TLS, trusting the machine's roots (implied by the other TLS options)", Recursive = true };
        CaFile = new Option<FileInfo?>("--ca-file") { Description = "PEM certificate authority the server's certificate must chain to", HelpName = "FILE", Recursive = true };
        CertFile = new Option<FileInfo?>("--cert") { Description = "PEM client certificate, for mutual TLS (with --key)", HelpName = "FILE", Recursive = true };
        KeyFile = new Option<FileInfo?>("--key") { Description = "PEM private key of --cert", HelpName = "FILE", Recursive = true };
        Insecure = new Option<bool>("--insecure") { Description = "TLS without checking the server's certificate (test gateways only)", Recursive = true };
        Output = new Option<string>("--output", "-o")
        {
            Description = "table: aligned columns; json: one camelCase JSON document per result, one per line for streams",
            DefaultValueFactory = _ => "table",
            HelpName = "table|json",
            Recursive = true,
        };
        Output.AcceptOnlyFromAmong("table", "json");
    }

    /// <summary>Standard input, output and error.</summary>
    public CliConsole Console { get; }

    internal Option<string> Server { get; }

    internal Option<string?> Token { get; }

    internal Option<bool> Tls { get; }

    internal Option<FileInfo?> CaFile { get; }

    internal Option<FileInfo?> CertFile { get; }

    internal Option<FileInfo?> KeyFile { get; }

    internal Option<bool> Insecure { get; }

    internal Option<string> Output { get; }

    internal void AddGlobalOptions(RootCommand root)
    {
        foreach (var option in new Option[] { Server, Token, Tls, CaFile, CertFile, KeyFile, Insecure, Output })
        {
            root.Options.Add(option);
        }
    }

    /// <summary>How results are printed, as <c>-o</c> says.</summary>
    internal ResultWriter Results(ParseResult parsed) =>
        new(Console.Out, parsed.GetValue(Output) == "json");

    /// <summary>A client for the gateway the options name; the caller disposes it.</summary>
    /// <exception cref="UsageException">an option cannot work (a file that cannot be read, a malformed address)</exception>
    internal LiiklusClient Connect(ParseResult parsed)
    {
        var server = parsed.GetValue(Server) is { Length: > 0 } given ? given : _environment("LIIKLUS_SERVER") is { Length: > 0 } set ? set : DefaultServer;
        var token = parsed.GetValue(Token) is { Length: > 0 } t ? t : _environment("LIIKLUS_TOKEN") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        var caFile = parsed.GetValue(CaFile);
        var certFile = parsed.GetValue(CertFile);
        var keyFile = parsed.GetValue(KeyFile);
        var insecure = parsed.GetValue(Insecure);
        if ((certFile is null) != (keyFile is null))
        {
            throw new UsageException("--cert and --key go together");
        }

        var tls = parsed.GetValue(Tls) || caFile is not null || certFile is not null || insecure;
        var options = new LiiklusClientOptions
        {
            Address = Address(server, tls),
            DangerousAcceptAnyServerCertificate = insecure,
            TrustedCertificateAuthority = caFile is null ? null : ReadFile(caFile, "--ca-file", () => X509CertificateLoader.LoadCertificateFromFile(caFile.FullName)),
            ClientCertificate = certFile is null ? null : ReadFile(certFile, "--cert", () => X509Certificate2.CreateFromPemFile(certFile.FullName, keyFile!.FullName)),
        };
        if (token is not null)
        {
            options.AccessTokenProvider = _ => ValueTask.FromResult<string?>(token);
        }

        try
        {
            return new LiiklusClient(options);
        }
        catch (ArgumentException e)
        {
            // The message names the setting, never the token.
            throw new UsageException(e.Message);
        }
    }

    private static Uri Address(string server, bool tls)
    {
        var text = server.Contains("://", StringComparison.Ordinal) ? server : $"{(tls ? "https" : "http")}://{server}";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https") || address.Host.Length == 0)
        {
            throw new UsageException($"--server '{server}' is not host:port or an http(s):// address");
        }

        if (tls && address.Scheme == "http")
        {
            throw new UsageException($"--server '{server}' is http://, but TLS options were given");
        }

        return address;
    }

    private static X509Certificate2 ReadFile(FileInfo file, string option, Func<X509Certificate2> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new UsageException($"{option} '{file.FullName}' cannot be read: {e.Message}");
        }
    }
}
