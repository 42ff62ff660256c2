using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Liiklus.Storage.Cold.S3;
using Xunit;

namespace Liiklus.Tests.Support;

/// <summary>
/// s3rver (npm), an S3 implementation, for the tests of one class: a free loopback port, a bucket configured at
/// start, its objects in a temporary directory. Its only credentials are S3RVER / S3RVER.
/// </summary>
public sealed class S3rverServer : IAsyncLifetime
{
    public const string Bucket = "liiklus-cold";
    private const string InstallHint = "test.sh installs it: npm install -g s3rver@3.7.1";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("liiklus-s3rver-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public S3rverServer() => Client = NewClient(Options(""), httpClientFactory: null);

    public int Port { get; } = GatewayProcess.FreePort();

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>A plain S3 client of this server, to read and write objects as another program would.</summary>
    public IAmazonS3 Client { get; }

    public static AWSCredentials Credentials => new BasicAWSCredentials("S3RVER", "S3RVER");

    public S3ColdOptions Options(string prefix) => new() { Endpoint = Endpoint, Bucket = Bucket, Prefix = prefix, PathStyle = true };

    /// <summary>A client with the store's settings and s3rver's credentials, sending through <paramref name="httpClientFactory"/> when given.</summary>
    public static IAmazonS3 NewClient(S3ColdOptions options, HttpClientFactory? httpClientFactory)
    {
        var config = S3ColdStore.Config(options);
        if (httpClientFactory is not null)
        {
            config.HttpClientFactory = httpClientFactory;
        }

        return new AmazonS3Client(Credentials, config);
    }

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("s3rver")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--address", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--directory", _directory,
                     "--configure-bucket", Bucket, "--silent",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("s3rver did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"s3rver is not installed ({InstallHint})", e);
        }

        _process.OutputDataReceived += (_, line) => Remember(line.Data);
        _process.ErrorDataReceived += (_, line) => Remember(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var process = _process;
        var answered = await Eventually.Until(
            async () => process.HasExited ? "exited" : await TryListAsync(),
            reply => reply is "answered" or "exited",
            $"s3rver on port {Port} listing bucket {Bucket}",
            Deadline);
        if (answered == "exited")
        {
            throw new InvalidOperationException($"s3rver on port {Port} exited with {process.ExitCode}: {string.Join('\n', _output)}");
        }
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill();
            using var timeout = new CancellationTokenSource(Deadline);
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<string> TryListAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, MaxKeys = 1 }, timeout.Token);
            return "answered";
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException)
        {
            return e.Message;
        }
    }

    private void Remember(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
